"""The phone pages of grid workers and auxiliaries (``/field``): templates and one script.

Server-rendered, small (no framework, no map library), one stylesheet and one script,
both served from here: nothing from another host.
"""
