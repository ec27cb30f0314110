"""gridwall's alarm vocabulary and each vendor's words for it.

Every adapter maps its device's event code to one of ``TYPES`` (unknown codes become
``other`` with the code kept in the alarm's ``extra``). Each type has a Chinese and an English
label, a default priority (1 most urgent … 4 least, as GB/T 28181 numbers them) and a default
catalogue category; the alarm rules file may override both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlarmKind:
    code: str
    zh: str
    en: str
    priority: int
    category: str


_KINDS = (
    AlarmKind("intrusion", "区域入侵", "Intrusion", 2, "13"),
    AlarmKind("line_crossing", "越线", "Line crossing", 2, "13"),
    AlarmKind("region_entrance", "进入区域", "Region entrance", 3, "13"),
    AlarmKind("region_exit", "离开区域", "Region exit", 3, "13"),
    AlarmKind("motion", "移动侦测", "Motion", 4, "13"),
    AlarmKind("loitering", "徘徊", "Loitering", 3, "13"),
    AlarmKind("left_object", "物品遗留", "Object left", 2, "12"),
    AlarmKind("object_removed", "物品拿取", "Object removed", 3, "13"),
    AlarmKind("wrong_way", "逆行", "Wrong way", 3, "04"),
    AlarmKind("crowd", "人员聚集", "Crowd", 2, "13"),
    AlarmKind("flow_count", "客流统计", "Flow count", 4, "04"),
    AlarmKind("fast_moving", "快速移动", "Fast moving", 3, "13"),
    AlarmKind("person", "人员检测", "Person detected", 3, "13"),
    AlarmKind("vehicle", "车辆检测", "Vehicle detected", 4, "04"),
    AlarmKind("face", "人脸抓拍", "Face", 4, "13"),
    AlarmKind("plate", "车牌识别", "Number plate", 4, "04"),
    AlarmKind("fire", "烟火", "Fire or smoke", 1, "14"),
    AlarmKind("tamper", "视频遮挡", "Tamper", 2, "12"),
    AlarmKind("scene_change", "场景变更", "Scene change", 3, "12"),
    AlarmKind("video_loss", "视频丢失", "Video loss", 2, "12"),
    AlarmKind("video_abnormal", "视频异常", "Video abnormal", 3, "12"),
    AlarmKind("io", "开关量报警", "Alarm input", 2, "13"),
    AlarmKind("pir", "红外报警", "PIR", 3, "13"),
    AlarmKind("manual", "手动报警", "Manual alarm", 1, "05"),
    AlarmKind("disk_full", "硬盘满", "Disk full", 4, "12"),
    AlarmKind("disk_fault", "硬盘故障", "Disk fault", 3, "12"),
    AlarmKind("fan_fault", "风扇故障", "Fan fault", 4, "12"),
    AlarmKind("high_temperature", "高温报警", "High temperature", 2, "14"),
    AlarmKind("low_temperature", "低温报警", "Low temperature", 4, "12"),
    AlarmKind("device_fault", "设备故障", "Device fault", 3, "12"),
    AlarmKind("other", "其他报警", "Other alarm", 4, "13"),
)
TYPES: dict[str, AlarmKind] = {k.code: k for k in _KINDS}
OTHER = "other"


def kind_of(code: str) -> AlarmKind:
    return TYPES.get(code, TYPES[OTHER])


def _table(pairs: str) -> dict[str, str]:
    """``"a b=type; c=type"`` → {a: type, b: type, c: type} (vendor codes lower-cased)."""
    table: dict[str, str] = {}
    for group in pairs.split(";"):
        names, _, kind = group.partition("=")
        assert kind.strip() in TYPES, kind
        for name in names.split():
            table[name.lower()] = kind.strip()
    return table


#: Hikvision ISAPI ``eventType`` (lower-cased) → type.
HIKVISION = _table(
    "vmd motiondetection=motion; linedetection=line_crossing; fielddetection=intrusion;"
    "regionentrance=region_entrance; regionexiting=region_exit; loitering=loitering;"
    "shelteralarm tamperdetection=tamper; videoloss=video_loss; io=io; pir=pir;"
    "facedetection facesnap facecapture=face; anpr vehicledetection=plate;"
    "unattendedbaggage=left_object; attendedbaggage=object_removed;"
    "scenechangedetection=scene_change; diskfull=disk_full; diskerror hdbadblock=disk_fault;"
    "peoplegathering=crowd; fastmoving=fast_moving; fireDetection smokedetection=fire;"
    "humanbody=person; illaccess=device_fault"
)

#: Dahua event ``Code`` (lower-cased) → type.
DAHUA = _table(
    "videomotion motiondetect=motion; crosslinedetection=line_crossing;"
    "crossregiondetection=intrusion; videoloss=video_loss; videoblind=tamper;"
    "alarmlocal=io; smartmotionhuman=person; smartmotionvehicle=vehicle;"
    "leftdetection=left_object; takenawaydetection=object_removed; wanderdetection=loitering;"
    "crowddetection=crowd; fastmovedetection=fast_moving; facedetection=face;"
    "trafficjunction=plate; firewarning smokedetection=fire; storagefailure=disk_fault;"
    "storagelowspace=disk_full; scenechange=scene_change; videoabnormaldetection=video_abnormal"
)

#: GB/T 28181 (AlarmMethod, AlarmType) → type; method alone when the type is absent.
GB28181_VIDEO = {
    "1": "manual", "2": "motion", "3": "left_object", "4": "object_removed", "5": "line_crossing",
    "6": "intrusion", "7": "wrong_way", "8": "loitering", "9": "flow_count", "10": "crowd",
    "11": "video_abnormal", "12": "fast_moving",
}  # fmt: skip
GB28181_DEVICE = {
    "1": "video_loss", "2": "tamper", "3": "disk_full", "4": "high_temperature",
    "5": "low_temperature",
}  # fmt: skip
GB28181_FAULT = {"1": "disk_fault", "2": "fan_fault"}
GB28181_METHOD = {
    "1": "manual", "2": "device_fault", "3": "manual", "4": "other", "5": "motion",
    "6": "device_fault", "7": "other",
}  # fmt: skip

#: Frigate labels → type (everything else: ``person`` for people, ``other``).
FRIGATE = {
    "person": "person", "car": "vehicle", "motorcycle": "vehicle", "bicycle": "vehicle",
    "bus": "vehicle", "truck": "vehicle", "license_plate": "plate", "face": "face",
    "fire": "fire", "smoke": "fire",
}  # fmt: skip
