"""Steam session tickets checked by Steam for a project, throttled (no HTTP)."""

from __future__ import annotations

from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.core.errors import InvalidCredentials, InvalidInput, UpstreamUnavailable
from gatehouse.core.models import Project
from gatehouse.core.secretbox import SecretBox
from gatehouse.services.sign_in_messages import TICKETS_FIELD
from gatehouse.services.throttling import Throttles

__all__ = ["SteamTickets"]


class SteamTickets:
    def __init__(
        self,
        *,
        db: Database,
        project_repo: ProjectRepository,
        secretbox: SecretBox,
        steam: SteamClient,
        throttles: Throttles,
        identity: str = "",
    ) -> None:
        self._db = db
        self._project_repo = project_repo
        self._box = secretbox
        self._steam = steam
        self._rejected = throttles.steam_rejected
        self._calls = throttles.steam_calls
        self._identity = identity

    async def verify(self, project: Project, tickets: tuple[str, ...], *, caller: str) -> str:
        """The one SteamID64 that all ``tickets`` belong to, as Steam says."""
        if project.steam_app_id is None or not project.has_steam_web_api_key:
            raise InvalidInput(
                "Steam sign-in is not configured for this project", field=TICKETS_FIELD
            )
        async with self._db.read() as conn:
            sealed = await self._project_repo.steam_web_api_key_enc(conn, project.id)
        try:
            key = self._box.open(sealed or "", context=f"steam:project:{project.id}")
        except ValueError:
            raise UpstreamUnavailable("The project's Steam web API key cannot be read") from None
        owners = set()
        for ticket in dict.fromkeys(tickets):
            owners.add(await self._ticket(project, key, ticket, caller=caller))
        if len(owners) != 1:
            raise InvalidInput(
                "The Steam tickets belong to different Steam accounts", field=TICKETS_FIELD
            )
        return owners.pop()

    async def _ticket(self, project: Project, key: str, ticket: str, *, caller: str) -> str:
        """One ticket checked by Steam. Rejections are throttled per address and per
        project, and every call spends the project's budget of calls to Steam."""
        assert project.steam_app_id is not None
        project_key = str(project.id)
        attempt = self._rejected.attempt(caller=caller, account=project_key)
        async with attempt:
            await self._calls.spend(caller=caller, account=project_key)
            try:
                return await self._steam.authenticate_ticket(
                    app_id=project.steam_app_id,
                    web_api_key=key,
                    ticket_hex=ticket,
                    identity=self._identity,
                )
            except InvalidCredentials:
                await attempt.failed()
                raise
