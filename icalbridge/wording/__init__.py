"""What the hub tells people, by stable code, in the reader's language (French, English)."""
