"""The functional core: pure Python, no Django, no I/O."""
