"""Storage: layers with their whole history, the audit log, incidents and jobs.

Functions take a SQLAlchemy ``Session`` that the caller runs inside one transaction
(``api.db.transaction``), so a failure anywhere leaves nothing behind.
"""
