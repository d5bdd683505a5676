"""The operator's pages: the hub's health across every organization."""
