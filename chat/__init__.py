"""Chat: rooms, messages, threads and read pointers."""
