"""The HiveMP progressive sign-in (``PUT /v1/authenticate``) as a driver.

The server keeps nothing between calls: the game sends everything it has, the
server answers with a session or with what to ask the player next. The driver
keeps "everything it has" (``SignInState``, pure) and yields each ``Prompt``;
the caller answers it and the driver sends again::

    flow = hive.sign_in(email="ann@example.com")
    async for prompt in flow:                     # `for` with the blocking client
        if prompt.error:
            show(prompt.error.message)            # e.g. a wrong password: ask again
        if Need.PASSWORD in prompt:
            flow.answer(password=ask_password())
        if Need.TWO_FACTOR in prompt:
            flow.answer(two_factor_code=ask_code())
        if Need.PROJECT in prompt:
            flow.answer(project_id=pick(prompt.projects).id)
        if Need.LINK_CONFIRMATION in prompt:
            flow.answer(confirm_link=ask_yes_no("Link your Steam account?"))
        ...
    session = flow.session                        # AuthenticatedSession

A failed step that leaves prompts open (a wrong password, a wrong code) is
yielded as a prompt carrying ``error``, as the HiveMP documentation asks games
to do; any other failure is raised. A two-factor code is sent once; a rejected
password is forgotten.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from gatehouse_client.errors import GatehouseError, HiveMPErrorBody
from gatehouse_client.user_session_models import (
    AuthenticatedSession,
    AuthenticationRequest,
    AuthenticationResponse,
    ProjectChoice,
    hivemp_password_hash,
)

__all__ = ["AsyncSignIn", "Need", "Prompt", "SignIn", "SignInState"]

#: HiveMP codes of a rejected answer: wrong password (or unknown email), wrong code.
_WRONG_PASSWORD = 1002
_WRONG_SECOND_FACTOR = 1014


class Need(StrEnum):
    """What the player is asked for."""

    EMAIL_ADDRESS = "email_address"
    PASSWORD = "password"
    #: Registration: may we send marketing mail? (``marketing_opt_in``)
    MARKETING_OPT_IN = "marketing_opt_in"
    #: A TOTP or recovery code (``two_factor_code``).
    TWO_FACTOR = "two_factor"
    #: Link this Steam account to the password account? (``confirm_link``)
    LINK_CONFIRMATION = "link_confirmation"
    #: Admin sign-in: which of ``Prompt.projects``? (``project_id``)
    PROJECT = "project"


@dataclass(frozen=True, slots=True)
class Prompt:
    needs: frozenset[Need]
    #: The server's ``intent`` (``"register"``, ``"link-confirm"``, ...).
    intent: str | None = None
    #: The projects to choose from when ``Need.PROJECT`` is asked.
    projects: tuple[ProjectChoice, ...] = ()
    #: Why the previous answer was refused, if it was.
    error: GatehouseError | None = None

    def __contains__(self, need: object) -> bool:
        return need in self.needs


_DATA_FLAGS = (
    ("promptForEmailAddress", Need.EMAIL_ADDRESS),
    ("promptForPassword", Need.PASSWORD),
    ("promptForMarketingPreferenceOptIn", Need.MARKETING_OPT_IN),
    ("promptForTwoFactor", Need.TWO_FACTOR),
)


class SignInState:
    """Everything the game has so far, and how each answer changes it (no I/O)."""

    def __init__(self, request: AuthenticationRequest) -> None:
        self._request = request
        self._awaiting_answer = False

    @property
    def request(self) -> AuthenticationRequest:
        return self._request

    def answer(
        self,
        *,
        email: str | None = None,
        password: str | None = None,
        password_hash: str | None = None,
        marketing_opt_in: bool | None = None,
        two_factor_code: str | None = None,
        trust_device: bool | None = None,
        confirm_link: bool | None = None,
        project_id: str | int | None = None,
    ) -> None:
        """Add answers; the next step sends them with everything given before."""
        changes: dict[str, Any] = {}
        if email is not None:
            changes["email_address"] = email
        if password is not None:
            changes["password_hash"] = hivemp_password_hash(password)
        if password_hash is not None:
            changes["password_hash"] = password_hash
        if marketing_opt_in is not None:
            changes["marketing_preference_opt_in"] = marketing_opt_in
        if two_factor_code is not None:
            changes["two_factor_code"] = two_factor_code.strip()
        if trust_device is not None:
            changes["trust_this_device"] = trust_device
        if confirm_link is not None:
            changes["confirm_link"] = confirm_link
        if project_id is not None:
            changes["project_id"] = str(project_id)
        self._request = replace(self._request, **changes)
        self._awaiting_answer = False

    def next_request(self) -> AuthenticationRequest:
        """The request of the next step. A two-factor code goes out once."""
        if self._awaiting_answer:
            raise RuntimeError("answer the prompt (flow.answer(...)) before the next step")
        sent = self._request
        if sent.two_factor_code is not None:
            self._request = replace(sent, two_factor_code=None)
        return sent

    def settle(self, response: AuthenticationResponse) -> Prompt | AuthenticatedSession:
        if response.authenticated_session is not None:
            return response.authenticated_session
        needs = {
            need
            for flag, need in (
                (response.prompt_for_email_address, Need.EMAIL_ADDRESS),
                (response.prompt_for_password, Need.PASSWORD),
                (response.prompt_for_marketing_preference_opt_in, Need.MARKETING_OPT_IN),
                (response.prompt_for_two_factor, Need.TWO_FACTOR),
            )
            if flag
        }
        if response.intent == "link-confirm":
            needs.add(Need.LINK_CONFIRMATION)
        if response.available_projects is not None:
            needs.add(Need.PROJECT)
        if not needs:
            raise GatehouseError(
                "The server answered neither a session nor a prompt", surface="user-session-v1"
            )
        self._awaiting_answer = True
        return Prompt(
            needs=frozenset(needs),
            intent=response.intent,
            projects=response.available_projects or (),
        )

    def settle_error(self, error: GatehouseError) -> Prompt:
        """A refused step that leaves prompts open becomes a prompt carrying the
        error; any other failure is raised."""
        body = error.body
        data = body.data if isinstance(body, HiveMPErrorBody) else None
        needs = frozenset(need for flag, need in _DATA_FLAGS if data and data.get(flag) is True)
        if not needs:
            raise error
        if error.code == _WRONG_PASSWORD and Need.PASSWORD in needs:
            self._request = replace(self._request, password_hash=None)
        self._awaiting_answer = True
        return Prompt(needs=needs, error=error)


class _Driver:
    def __init__(self, state: SignInState) -> None:
        self._state = state
        #: The session, once signed in.
        self.session: AuthenticatedSession | None = None
        #: How the session came to be: ``"login"``, ``"register"`` or ``"link"``.
        self.intent: str | None = None

    @property
    def state(self) -> SignInState:
        return self._state

    def answer(
        self,
        *,
        email: str | None = None,
        password: str | None = None,
        password_hash: str | None = None,
        marketing_opt_in: bool | None = None,
        two_factor_code: str | None = None,
        trust_device: bool | None = None,
        confirm_link: bool | None = None,
        project_id: str | int | None = None,
    ) -> None:
        """Answer the current prompt (several answers may be given at once)."""
        self._state.answer(
            email=email,
            password=password,
            password_hash=password_hash,
            marketing_opt_in=marketing_opt_in,
            two_factor_code=two_factor_code,
            trust_device=trust_device,
            confirm_link=confirm_link,
            project_id=project_id,
        )

    def _settled(
        self, response: AuthenticationResponse | GatehouseError
    ) -> Prompt | AuthenticatedSession:
        if isinstance(response, GatehouseError):
            return self._state.settle_error(response)
        result = self._state.settle(response)
        if isinstance(result, AuthenticatedSession):
            self.session, self.intent = result, response.intent
        return result


class AsyncSignIn(_Driver):
    """The driver over an async client (``async for prompt in flow``)."""

    def __init__(
        self,
        send: Callable[[AuthenticationRequest], Awaitable[AuthenticationResponse]],
        state: SignInState,
    ) -> None:
        super().__init__(state)
        self._send = send

    async def step(self) -> Prompt | AuthenticatedSession:
        """Send what the game has; the next prompt, or the session."""
        request = self._state.next_request()
        try:
            response: AuthenticationResponse | GatehouseError = await self._send(request)
        except GatehouseError as error:
            response = error
        return self._settled(response)

    async def __aiter__(self) -> AsyncIterator[Prompt]:
        while True:
            result = await self.step()
            if isinstance(result, AuthenticatedSession):
                return
            yield result


class SignIn(_Driver):
    """The driver over a blocking client (``for prompt in flow``)."""

    def __init__(
        self,
        send: Callable[[AuthenticationRequest], AuthenticationResponse],
        state: SignInState,
    ) -> None:
        super().__init__(state)
        self._send = send

    def step(self) -> Prompt | AuthenticatedSession:
        """Send what the game has; the next prompt, or the session."""
        request = self._state.next_request()
        try:
            response: AuthenticationResponse | GatehouseError = self._send(request)
        except GatehouseError as error:
            response = error
        return self._settled(response)

    def __iter__(self) -> Iterator[Prompt]:
        while True:
            result = self.step()
            if isinstance(result, AuthenticatedSession):
                return
            yield result
