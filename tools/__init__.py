"""Developer tools of Deconv Arena (not part of the ``restore_core`` library)."""
