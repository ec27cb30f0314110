"""The Open311 poller: pages ``requests.json`` by date and follows open requests' statuses.

Each poll reads the date windows from the stored cursor (minus ``overlap_s``, for requests
that appear late) to now, ``page_days`` at a time; a window that comes back full (1,000, the
GeoReport bound) is split in two. It then re-reads the requests still open (by
``service_request_id``, ``refresh_batch`` at a time) so a closure upstream becomes a status
update here. Re-reading is harmless: de-duplication makes every record count once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx2

from feeds.adapters.loop import ClientLoop
from feeds.adapters.open311.config import Open311Source, iso
from feeds.adapters.open311.parse import PAGE_MAX, parse_requests, to_records, windows
from feeds.sources.sink import FeedSink
from gridwall.contract.refusal import PayloadError

ENDPOINT = "open311 requests.json"
#: Shortest window split when pages come back full.
MIN_WINDOW = timedelta(minutes=1)


class Open311Poller(ClientLoop):
    def __init__(self, source: Open311Source, sink: FeedSink) -> None:
        super().__init__(source.id, sink)
        self.source = source
        self.polls = 0

    async def session(self) -> None:
        headers = {}
        if self.source.token is not None:
            headers["Authorization"] = f"Bearer {self.source.token.value()}"
        async with httpx2.AsyncClient(timeout=30.0, headers=headers) as client:
            while True:
                await self.poll(client)
                await self.connected()
                await asyncio.sleep(self.source.poll_s)

    def _params(self, **extra: str) -> dict[str, str]:
        params = dict(extra)
        if self.source.api_key is not None:
            params["api_key"] = self.source.api_key.value()
        if self.source.jurisdiction_id:
            params["jurisdiction_id"] = self.source.jurisdiction_id
        return params

    async def _get(
        self, client: httpx2.AsyncClient, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        url = f"{str(self.source.url).rstrip('/')}/requests.json"
        response = await client.get(url, params=self._params(**params))
        if response.status_code != 200:
            raise ConnectionError(f"{url} answered HTTP {response.status_code}")
        try:
            return parse_requests(response.content)
        except PayloadError as exc:
            await asyncio.to_thread(
                partial(self.sink.refuse, self.source_id, ENDPOINT, exc.reason, response.content)
            )
            raise ConnectionError(exc.reason) from None

    async def poll(self, client: httpx2.AsyncClient) -> None:
        """One round: new requests by date, then the open ones' statuses."""
        self.polls += 1
        rt = self.sink.rt
        now = rt.now()
        cursor = await asyncio.to_thread(self._cursor, now)
        start = cursor - timedelta(seconds=self.source.overlap_s)
        for window in windows(start, now, timedelta(days=self.source.page_days)):
            await self._window(client, *window)
            await asyncio.to_thread(
                rt.client.set, rt.keys.source_cursor(self.source_id), iso(window[1])
            )
        await self._refresh(client)

    def _cursor(self, now: datetime) -> datetime:
        stored = self.sink.rt.client.get(self.sink.rt.keys.source_cursor(self.source_id))
        if stored:
            return datetime.fromisoformat(stored.decode() if isinstance(stored, bytes) else stored)
        return self.source.start or now - timedelta(days=1)

    async def _window(self, client: httpx2.AsyncClient, start: datetime, end: datetime) -> None:
        found = await self._get(client, {"start_date": iso(start), "end_date": iso(end)})
        if len(found) >= PAGE_MAX and end - start > MIN_WINDOW:
            middle = start + (end - start) / 2
            await self._window(client, start, middle)
            await self._window(client, middle, end)
            return
        await asyncio.to_thread(self._take, found)

    async def _refresh(self, client: httpx2.AsyncClient) -> None:
        rt = self.sink.rt
        tracked = await asyncio.to_thread(rt.client.hkeys, rt.keys.source_tracked(self.source_id))
        ids = sorted(t.decode() if isinstance(t, bytes) else str(t) for t in tracked)
        batch = self.source.refresh_batch
        for index in range(0, len(ids), batch):
            chunk = ids[index : index + batch]
            found = await self._get(client, {"service_request_id": ",".join(chunk)})
            await asyncio.to_thread(self._take, found)

    def _take(self, requests: list[dict[str, Any]]) -> None:
        """Hand the requests' records to the sink and remember which are still open."""
        rt = self.sink.rt
        zone = rt.tz
        records: list[dict[str, Any]] = []
        still_open: dict[Any, Any] = {}
        closed: list[str] = []
        for request in requests:
            try:
                found = to_records(request, self.source, zone)
            except PayloadError as exc:
                self.sink.refuse(self.source_id, ENDPOINT, exc.reason, repr(request)[:65_536])
                continue
            records += found
            request_id = str(request.get("service_request_id"))
            if any(r.get("status") == "closed" for r in found):
                closed.append(request_id)
            else:
                still_open[request_id] = str(request.get("status") or "open")
        if records:
            self.sink.submit_events(self.source_id, records, endpoint=ENDPOINT)
        pipe = rt.client.pipeline(transaction=False)
        if still_open:
            pipe.hset(rt.keys.source_tracked(self.source_id), mapping=still_open)
        if closed:
            pipe.hdel(rt.keys.source_tracked(self.source_id), *closed)
        pipe.execute()
