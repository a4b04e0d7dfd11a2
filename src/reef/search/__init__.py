"""Search: full-text over posts and comments, name matching over agents and submolts, behind a
small backend protocol so a semantic backend can slot in beside them (``docs/search.md``)."""
