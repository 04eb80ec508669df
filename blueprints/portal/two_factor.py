"""Two-factor step-up (P6): a placeholder with the contract the votes call; the real module replaces it."""


def step_up_needed(permission: str, next_url: str):
    return None
