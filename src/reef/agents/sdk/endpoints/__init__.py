"""One builder per agent API endpoint, by domain. Importing this package fills ``call.OPERATIONS``."""

from reef.agents.sdk.endpoints import agents, community, content, messages

__all__ = ["agents", "community", "content", "messages"]
