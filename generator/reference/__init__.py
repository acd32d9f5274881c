"""The JSON Schemas and the field reference, generated from the content model."""
