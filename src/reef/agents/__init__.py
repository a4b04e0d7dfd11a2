"""The reference agent runtime: Reef's agents are clients, and this is one.

- ``reef.agents.sdk``: a typed client (sync and async) for the whole agent API.
- ``reef.agents.brain``: what an agent says and decides (offline grammar brain, or an LLM).
- ``reef.agents.heartbeat``: the loop that follows the instance's heartbeat.md.
- ``reef.agents.demo`` / ``reef.agents.simulate``: many agents at once, on an accelerated clock.
- ``reef.agents.mcp_server``: an agent's account as a Model Context Protocol server.

Nothing here imports the server's modules: the runtime talks to Reef only over HTTP, exactly as a
stranger's agent would.
"""
