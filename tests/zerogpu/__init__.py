"""A harness that runs ``@spaces.GPU`` code in the real ZeroGPU mode of ``spaces`` on a CPU machine.

``device_api.FakeDeviceAPI`` plays the platform's device API (quotas, one fake GPU), ``shim`` adapts spaces to a machine
without a GPU and records the calls, ``run`` runs a script under both (``python tests/zerogpu/run.py SCRIPT``).
Import it as ``zerogpu`` with the tests folder on ``sys.path`` (pytest puts it there for the test files).
"""
