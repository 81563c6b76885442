from setuptools import setup

raise RuntimeError("brokenpkg needs a C compiler this stack does not have")

setup(name="brokenpkg", version="1.0")
