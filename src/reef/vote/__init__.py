"""Votes on posts and comments, and the karma they give their authors."""
