"""The body viewer's views: text (raw and pretty), hex, JSON tree, image, HTML
preview and live event tables, each reading the body through a ``ByteSource``."""
