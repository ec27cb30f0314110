"""The demo county's cameras and grid workers.

Cameras: most are IPCs known by their 20-digit GB/T 28181 id (``<county>00`` centre code,
industry ``00``, type ``132``, network ``0``, serial); about a third are channels of Hikvision
NVRs, each channel with its own GB/T 28181 id (type ``131``) and the NVR's MAC and IP + channel,
as ISAPI alarms name them; a few are Frigate cameras known by name. The first NVR carries the
MAC and IP of the sample alarm (docs/feeds.md, hikvision), and serial 42 is the sample GB/T 28181
id, so the documented payloads resolve to cameras. Urban grids get more cameras.

Workers: one grid worker (网格员) per grid; in the countryside one worker often serves two
neighbouring grids of a village. Names and phone numbers are generated.
"""

from __future__ import annotations

import random

from gridwall.refdata.model import Camera, CameraIdentity, IdentityKind, Worker
from gridwall.sim.county.county import Piece
from gridwall.sim.county.land import sample
from gridwall.sim.county.names import mobile, person_name

HIKVISION_OUIS = ("44:19:b6", "c0:56:e3", "bc:ad:28", "28:57:be", "4c:bd:8f")
SAMPLE_NVR = ("44:19:b6:00:12:7a", "10.20.3.41")
PLACES = (
    "东门", "西门", "南门", "北门", "广场", "停车场", "主干道", "十字路口", "菜市场", "学校门口",
    "河道", "公园", "桥头", "小区出入口", "公交站", "卫生服务站", "便民服务中心", "商业街",
)  # fmt: skip
GROUPS = ("治安监控", "社区出入口", "道路卡口", "河道监控", "重点场所")
FRIGATE = ("gate_east", "gate_west", "plaza", "parking", "school", "market", "riverside", "bridge")


class CameraMaker:
    def __init__(self, rng: random.Random, county: str) -> None:
        self.rng = rng
        self.centre = f"{county}00"
        self.serial = 0

    def gb_id(self, kind: str) -> str:
        self.serial += 1
        return f"{self.centre}00{kind}0{self.serial:06d}"

    def place(self, grid: Piece) -> tuple[float, float]:
        x, y = sample(self.rng, grid.geom, 1)[0]
        return round(x, 7), round(y, 7)

    def camera(self, grid: Piece, kind: str, extra: list[CameraIdentity]) -> Camera:
        gb = self.gb_id(kind)
        community = grid.name.split("第")[0]
        return Camera(
            id=gb,
            name=community + self.rng.choice(PLACES),
            identities=[CameraIdentity(kind=IdentityKind.GB28181, value=gb), *extra],
            grid=grid.code,
            location=self.place(grid),
            group=self.rng.choice(GROUPS),
        )


def _mac(rng: random.Random) -> str:
    tail = ":".join(f"{rng.randrange(256):02x}" for _ in range(3))
    return f"{rng.choice(HIKVISION_OUIS)}:{tail}"


def generate_cameras(
    rng: random.Random, county: str, grids: list[Piece], count: int
) -> list[Camera]:
    """``count`` cameras (and a few more Frigate ones), placed in grids, urban ones first."""
    weights = [3.0 if g.urban else 1.0 for g in grids]
    maker = CameraMaker(rng, county)
    cameras = [
        maker.camera(rng.choices(grids, weights)[0], "132", []) for _ in range(count * 2 // 3)
    ]
    nvr = 0
    while len(cameras) < count:
        nvr += 1
        mac, ip = SAMPLE_NVR if nvr == 1 else (_mac(rng), f"10.20.{nvr // 200}.{nvr % 200 + 20}")
        home = rng.choices(grids, weights)[0]
        neighbours = [g for g in grids if g.code[:12] == home.code[:12]]
        for channel in range(1, min(rng.choice((4, 8, 8, 16)), count - len(cameras)) + 1):
            extra = [
                CameraIdentity(kind=IdentityKind.MAC, value=f"{mac}/{channel}"),
                CameraIdentity(kind=IdentityKind.IP, value=f"{ip}/{channel}"),
            ]
            cameras.append(maker.camera(rng.choice(neighbours), "131", extra))
    for name in FRIGATE:
        grid = rng.choices(grids, weights)[0]
        x, y = maker.place(grid)
        cameras.append(
            Camera(
                id=f"frigate-{name}",
                name=f"Frigate {name}",
                identities=[CameraIdentity(kind=IdentityKind.FRIGATE, value=name)],
                grid=grid.code,
                location=(x, y),
                group="智能识别",
            )
        )
    return cameras


def generate_workers(rng: random.Random, grids: list[Piece]) -> list[Worker]:
    """Grid workers: one per urban grid, one per one or two rural grids of a village."""
    workers: list[Worker] = []
    pending: list[str] = []

    def hire(served: list[str]) -> None:
        workers.append(
            Worker(id=f"WG{len(workers) + 1:05d}", name=person_name(rng), phone=mobile(rng),
                   grids=served)
        )  # fmt: skip

    for grid in grids:
        if grid.urban:
            hire([grid.code])
            continue
        if pending and pending[0][:12] != grid.code[:12]:
            hire(pending)
            pending = []
        pending.append(grid.code)
        if len(pending) == 2 or rng.random() < 0.4:
            hire(pending)
            pending = []
    if pending:
        hire(pending)
    return workers
