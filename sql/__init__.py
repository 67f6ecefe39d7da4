"""Storage: schema, migrations, the bulk upsert writer, frame readers and their cache."""
