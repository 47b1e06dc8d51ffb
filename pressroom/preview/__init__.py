"""The live preview's page (``preview.html.j2``), rendered by ``pressroom.watch``."""
