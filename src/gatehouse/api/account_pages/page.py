"""One page request: its project, its cookies, who is signed in, its CSRF token,
and how it answers (a rendered template or a redirect)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

import jinja2

from gatehouse.api._common.http import Call, Problem, Reply
from gatehouse.api.account_pages.web import (
    PAGE_HEADERS,
    CsrfTokens,
    clear_cookie,
    parse_cookies,
    parse_form,
    same_origin,
    set_cookie,
)
from gatehouse.core.errors import ProjectNotFound
from gatehouse.core.models import Project, Session, User

__all__ = [
    "COOKIE_CSRF",
    "COOKIE_DEVICE",
    "COOKIE_PENDING",
    "COOKIE_SESSION",
    "Page",
    "PageProblem",
]

COOKIE_SESSION: Final = "gatehouse_session"
COOKIE_PENDING: Final = "gatehouse_pending"
COOKIE_DEVICE: Final = "gatehouse_device"
COOKIE_CSRF: Final = "gatehouse_csrf"
HTML: Final = b"text/html; charset=utf-8"
FORGED: Final = "This form has expired or did not come from this site."
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gatehouse.api.account_pages", "templates"),
        autoescape=True,  # every value is escaped unless a template says otherwise
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["iso"] = _iso
    return env


def _iso(us: int | None) -> str:
    """The machine-readable form of ``_when`` (a ``<time datetime>``)."""
    if not us:
        return ""
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(us: int | None) -> str:
    if not us:
        return ""
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


class PageProblem(Problem):
    """A refusal already rendered as one of the project's pages (errors.render
    sends it as it is)."""

    def __init__(self, status: int, message: str, reply: Reply) -> None:
        super().__init__(status, message)
        self.reply = reply


class Page:
    """Built by ``Page.open`` for every request of the account pages."""

    def __init__(self, call: Call, project: Project) -> None:
        self.call = call
        self.services = call.services
        self.project = project
        self.base = f"/account/{project.id}"
        self.cookies = parse_cookies(call.header(b"cookie"))
        self.user: User | None = None
        self.session: Session | None = None
        self.secure = not call.services.settings.allow_plain_http
        self._set: list[bytes] = []
        self._new_anonymous: str | None = None
        self._csrf = CsrfTokens(call.services.tokens.derive(b"account-pages-csrf"))

    @classmethod
    async def open(cls, call: Call) -> Page:
        raw = call.params.get("project_id", "")
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            raise ProjectNotFound()
        page = cls(call, await call.services.projects.get(int(raw)))
        token = page.cookies.get(COOKIE_SESSION)
        if token:
            found = await call.services.self_service.current(page.project, token)
            if found is None:  # revoked or expired elsewhere: forget it
                page.clear(COOKIE_SESSION)
            else:
                page.user, page.session = found
        return page

    # -- cookies ----------------------------------------------------------------------

    def set(self, name: str, value: str, max_age: int | None = None) -> None:
        self._set.append(
            set_cookie(name, value, path=self.base, secure=self.secure, max_age=max_age)
        )

    def clear(self, name: str) -> None:
        self._set.append(clear_cookie(name, path=self.base, secure=self.secure))

    # -- CSRF -------------------------------------------------------------------------

    def _binding(self) -> str:
        if self.session is not None:
            return f"session:{self.session.id}"
        anonymous = self.cookies.get(COOKIE_CSRF) or self._new_anonymous
        if not anonymous:
            anonymous = self._new_anonymous = self.services.tokens.new("")[0]
            self.set(COOKIE_CSRF, anonymous)
        return f"anonymous:{anonymous}"

    @property
    def csrf_token(self) -> str:
        return self._csrf.token(self._binding())

    async def form(self) -> dict[str, str]:
        """The posted form, after its CSRF token and origin are checked (403)."""
        media = self.call.header(b"content-type").split(";", 1)[0].strip().lower()
        if media not in _FORM_TYPES:
            raise Problem(415, "Send the form as application/x-www-form-urlencoded")
        try:
            fields = parse_form(await self.call.body())
        except ValueError:
            raise Problem(400, "The form could not be read") from None
        has_binding = self.session is not None or COOKIE_CSRF in self.cookies
        if not (
            has_binding
            and self._same_origin()
            and self._csrf.valid(self._binding(), fields.get("csrf_token"))
        ):
            raise self.refusal(403, FORGED)
        return fields

    def _same_origin(self) -> bool:
        return same_origin(
            {
                "sec-fetch-site": self.call.header(b"sec-fetch-site"),
                "origin": self.call.header(b"origin"),
                "host": self.call.header(b"host"),
            }
        )

    def signed_out(self) -> Reply:
        """A signed-in page without a session: off to sign in, when it is a page
        of ours (a session ended elsewhere throws the browser out on its next
        click); a post from another site is refused as the forgery it is."""
        if self.call.scope["method"] == "POST" and not self._same_origin():
            raise self.refusal(403, FORGED)
        return self.redirect("/sign-in")

    def refusal(self, status: int, message: str) -> PageProblem:
        """A request refused outright, as a page of this project."""
        reply = self.render("refused.html", status, error=message)
        return PageProblem(status, message, reply)

    # -- answers ----------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values: Any) -> Reply:
        body = (
            environment()
            .get_template(template)
            .render(
                project=self.project,
                base=self.base,
                user=self.user,
                csrf_token=self.csrf_token,
                year=time.gmtime().tm_year,
                **values,
            )
        )
        return self.reply(status, body.encode())

    def redirect(self, to: str) -> Reply:
        return self.reply(303, b"", [(b"location", (self.base + to).encode())])

    def reply(
        self, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> Reply:
        headers = [*PAGE_HEADERS, *((b"set-cookie", c) for c in self._set), *(extra or [])]
        return Reply(status, body, headers, content_type=HTML)
