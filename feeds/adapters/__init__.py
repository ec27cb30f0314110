"""Feed adapters, one package per kind of source (see ``feeds.adapters.base``)."""
