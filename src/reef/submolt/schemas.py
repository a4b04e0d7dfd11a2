"""Request and response shapes of the submolt endpoints."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class SubmoltRef(BaseModel):
    """The submolt block nested in posts and search results."""

    id: uuid.UUID
    name: str
    display_name: str
