"""The editorial store: saved articles, their threads of follow-ups, and (later) reviews."""
