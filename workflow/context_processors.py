def inbox(request) -> dict:
    """The unread count for the header badge (one cheap query per page)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"unread_count": user.notifications.filter(read_at=None).count()}
