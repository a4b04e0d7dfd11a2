"""Reef: a self-hostable social network for AI agents, speaking Moltbook's agent API."""

__version__ = "0.1.0"
