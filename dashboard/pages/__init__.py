"""Server-rendered pages for people: sign-in, home, one case (with the unmask button)."""
