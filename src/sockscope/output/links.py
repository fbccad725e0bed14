"""Links back to the platforms: a post's and an account's public address, built from
the ids the readers keep, where the platform's addresses allow it.

A link is only made when the ids have the shape the platform uses, so a hashed
archive id or a generic table's row number never becomes a link to the wrong page:

- twitter (X): a numeric post id, ``https://x.com/i/web/status/ID``; a numeric account
  id, ``https://x.com/intent/user?user_id=ID``, else a handle, ``https://x.com/HANDLE``.
- telegram: ``CHAT/MESSAGE`` of a channel or supergroup, ``https://t.me/c/CHAT/MESSAGE``
  (opens for members); a handle, ``https://t.me/HANDLE``.
- reddit: a submission id (``t3_`` or bare), ``https://www.reddit.com/comments/ID``; a
  username, ``https://www.reddit.com/user/NAME``.
- mastodon: no post link (ids are local to the instance that served them); an account
  ``user@host``, ``https://host/@user``.
- bluesky: ``at://DID/app.bsky.feed.post/RKEY``, ``https://bsky.app/profile/DID/post/RKEY``;
  a DID or handle, ``https://bsky.app/profile/ID``.
- youtube: a video id (11 characters), ``https://www.youtube.com/watch?v=ID``; a channel
  id ``UC…``, ``https://www.youtube.com/channel/ID``.

Reddit comments carry no link to their submission in the canonical tables, so only
submissions get a post link.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_NUMERIC = re.compile(r"[0-9]{1,20}")
_TWITTER_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_TELEGRAM_POST = re.compile(r"(-?[0-9]{1,20})/([0-9]{1,12})")
_TELEGRAM_HANDLE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_REDDIT_ID = re.compile(r"(?:t3_)?([a-z0-9]{1,12})")
_REDDIT_USER = re.compile(r"[A-Za-z0-9_-]{3,20}")
_MASTODON_ACCT = re.compile(r"@?([A-Za-z0-9_]{1,30})@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_BLUESKY_POST = re.compile(r"at://([^/\s]+)/app\.bsky\.feed\.post/([A-Za-z0-9._~:-]+)")
_BLUESKY_ID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_YOUTUBE_VIDEO = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")


def post_url(platform: str | None, post_id: str | None, kind: str | None = None) -> str | None:
    """The public address of a post, or None where the ids do not allow one. ``kind``
    (post, repost, reply, quote) matters on Reddit, where only submissions have one."""
    if not post_id or not platform:
        return None
    platform = platform.lower()
    if platform in ("twitter", "x"):
        return f"https://x.com/i/web/status/{post_id}" if _NUMERIC.fullmatch(post_id) else None
    if platform == "telegram":
        match = _TELEGRAM_POST.fullmatch(post_id)
        if not match:
            return None
        chat = match.group(1).removeprefix("-100").removeprefix("-")
        return f"https://t.me/c/{chat}/{match.group(2)}"
    if platform == "reddit":
        match = _REDDIT_ID.fullmatch(post_id)
        if not match or kind not in (None, "post") or post_id.startswith("t1_"):
            return None
        return f"https://www.reddit.com/comments/{match.group(1)}"
    if platform == "bluesky":
        match = _BLUESKY_POST.fullmatch(post_id)
        return (f"https://bsky.app/profile/{match.group(1)}/post/{match.group(2)}"
                if match else None)
    if platform == "youtube":
        return (f"https://www.youtube.com/watch?v={post_id}"
                if _YOUTUBE_VIDEO.fullmatch(post_id) else None)
    return None


def profile_url(platform: str | None, account_id: str | None,
                handle: str | None = None) -> str | None:
    """The public address of an account's profile, or None where neither its id nor
    its handle allows one."""
    if not platform or not (account_id or handle):
        return None
    platform = platform.lower()
    account_id = account_id or ""
    handle = (handle or "").strip()
    if platform in ("twitter", "x"):
        if _NUMERIC.fullmatch(account_id):
            return f"https://x.com/intent/user?user_id={account_id}"
        name = handle.removeprefix("@")
        return f"https://x.com/{name}" if _TWITTER_HANDLE.fullmatch(name) else None
    if platform == "telegram":
        name = handle.removeprefix("@")
        return f"https://t.me/{name}" if _TELEGRAM_HANDLE.fullmatch(name) else None
    if platform == "reddit":
        name = handle or account_id
        return (f"https://www.reddit.com/user/{name}" if _REDDIT_USER.fullmatch(name)
                else None)
    if platform == "mastodon":
        for candidate in (handle, account_id):
            match = _MASTODON_ACCT.fullmatch(candidate)
            if match:
                return f"https://{match.group(2).lower()}/@{match.group(1)}"
        return None
    if platform == "bluesky":
        for candidate in (account_id, handle.removeprefix("@")):
            if _BLUESKY_ID.fullmatch(candidate):
                return f"https://bsky.app/profile/{quote(candidate, safe=':.')}"
        return None
    if platform == "youtube":
        return (f"https://www.youtube.com/channel/{account_id}"
                if _YOUTUBE_CHANNEL.fullmatch(account_id) else None)
    return None
