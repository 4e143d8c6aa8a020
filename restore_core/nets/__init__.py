"""Networks (pure ``torch.nn.Module``s), their weights files, tiled inference and the shipped model list.

Import the submodules directly; this package's own import loads nothing, so
:mod:`restore_core.nets.specs` stays free of torch.
"""
