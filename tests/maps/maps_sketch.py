"""Constants of the hand-drawn sketch in ``tests/maps/conftest.py`` (importable by tests)."""

X0, Y0 = 380_000.0, 3_542_000.0  # metres, EPSG:4549: Nanjing Jianye
CRS = 4549
SECRET_ADDRESS = "建邺区秘密路88号"
SECRET_OFFICER = "张三警官"
