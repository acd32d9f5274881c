"""The print edition: the book's HTML and its layout by WeasyPrint in a process of its own."""
