"""The video wall: a Dash app on the FastAPI server, updated by server push."""
