"""Comments: threads as materialised paths, writing, deleting and moderator removal."""
