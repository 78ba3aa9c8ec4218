"""Word lists the simulated province is written with (names, places, causes, devices).

Kept apart from the logic so the generators read as rules, and vectorised
helpers build whole columns of names/addresses at once (numpy string ops).
"""

from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林龙田潘石韦蒙袁邓冉梁宋谢韩唐冯曾彭肖蔡")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文斌鹏飞海燕红梅林波辉宇浩晨欣雪松毅")

ORGS = {
    "人民医院": 3,
    "中医院": 1.5,
    "第一中学": 1.5,
    "实验小学": 1,
    "公安局": 2,
    "财政局": 1,
    "人民政府": 2,
    "农村信用合作联社": 2,
    "自然资源局": 1,
    "税务局": 1.5,
    "教育局": 1,
    "供电局": 1.5,
    "烟草专卖局": 1,
    "邮政分公司": 1,
    "农商银行营业部": 2,
    "交警大队": 1,
    "人民法院": 1,
    "人民检察院": 1,
    "疾控中心": 1,
    "社会保险事业局": 1,
    "融媒体中心": 0.8,
    "自来水公司": 0.8,
    "汽车客运站": 0.6,
    "政务服务中心": 1.2,
}
BANKS = ("工商银行", "建设银行", "中国银行", "农业银行", "贵州银行", "邮储银行")
FIRM_WORDS = ("黔丰", "山合", "盛达", "鑫源", "瑞祥", "华信", "宏远", "金桥", "安泰", "博远", "黔通", "云岭")
FIRM_TRADES = ("科技", "物流", "建材", "酒业", "茶业", "矿业", "旅游开发", "电子商务", "医药", "食品")
ROADS = (
    "人民路",
    "中山路",
    "解放路",
    "新华路",
    "北京路",
    "延安路",
    "文化路",
    "建设路",
    "环城路",
    "滨江路",
    "府前路",
    "东风路",
    "民主路",
    "和平路",
    "南门街",
    "育才路",
    "迎宾大道",
    "工业园路",
    "兴业大道",
    "体育路",
)
HUBS = ("城关汇聚", "接入", "核心", "综合楼", "开发区汇聚")
BUILDERS = (
    "中国通信建设第三工程局有限公司",
    "贵州省通信产业服务有限公司",
    "中通服网盈科技有限公司",
    "贵州黔通工程建设有限公司",
    "中国移动通信集团设计院有限公司",
    "润建股份有限公司",
)

CAUSES: dict[str, tuple[str, ...]] = {
    "光缆线路": ("光缆中断", "尾纤损坏", "光缆衰耗过大", "跳纤松动", "光交箱进水"),
    "电源": ("市电停电", "整流模块故障", "蓄电池故障", "空开跳闸", "ONU掉电"),
    "设备硬件": ("光模块损坏", "板卡故障", "设备死机", "端口损坏"),
    "客户侧": ("客户设备断电", "客户内网故障", "客户误操作"),
    "第三方施工": ("市政施工挖断光缆", "道路施工损坏管道", "车辆挂断光缆"),
    "传输设备": ("传输板卡故障", "SDH设备告警", "光端机故障"),
    "设备配置": ("配置丢失", "VLAN配置错误", "路由配置错误"),
    "自然灾害": ("雷击", "暴雨冲断光缆", "山体滑坡", "凝冻断纤"),
    "不明原因": ("自行恢复", "原因不明", "复位后恢复"),
}
CAUSE_WEIGHTS = {
    "光缆线路": 0.30,
    "电源": 0.22,
    "设备硬件": 0.12,
    "客户侧": 0.10,
    "第三方施工": 0.08,
    "传输设备": 0.06,
    "设备配置": 0.05,
    "自然灾害": 0.03,
}
CAUSE_DEVICE: dict[str, tuple[str, ...]] = {
    "光缆线路": ("光纤收发器", "ONU"),
    "电源": ("ONU", "路由器", "交换机"),
    "设备硬件": ("路由器", "交换机", "ONU", "防火墙"),
    "客户侧": ("PBX", "IAD", "WLAN设备"),
    "第三方施工": ("光纤收发器", "ONU"),
    "传输设备": ("协议转换器", "光纤收发器"),
    "设备配置": ("路由器", "交换机", "防火墙"),
    "自然灾害": ("ONU", "光纤收发器", "路由器"),
    "不明原因": ("ONU", "信息机"),
}
RESOLUTION = {
    "光缆线路": "查找断点重新熔接后业务恢复",
    "电源": "恢复供电后设备正常",
    "设备硬件": "更换故障硬件后恢复",
    "客户侧": "协助客户排查内网后恢复",
    "第三方施工": "抢修被挖断光缆后恢复",
    "传输设备": "更换传输板卡后恢复",
    "设备配置": "重新下发配置后恢复",
    "自然灾害": "抢修线路并更换受损设备",
    "不明原因": "现场检查无异常, 观察后正常",
}
PHOTO_KINDS = ("到达现场", "进入机房", "工作过程", "完成现场", "设备整理", "线路标签")
OLT_MODELS = ("华为MA5800-X7", "中兴C600", "华为MA5680T", "烽火AN6000")
CPE_MODELS = ("华为AR1220", "中兴ZXR10", "华为S5735", "H3C MSR2600", "华为HG8546M")
MOBILE_PREFIX = (
    "138",
    "139",
    "158",
    "159",
    "187",
    "188",
    "136",
    "135",
    "182",
    "183",
    "147",
    "198",
    "195",
    "178",
)


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n Chinese personal names (surname + one or two given characters)."""
    s = np.array(SURNAMES)[rng.integers(len(SURNAMES), size=n)]
    g1 = np.array(GIVEN)[rng.integers(len(GIVEN), size=n)]
    g2 = np.where(rng.random(n) < 0.7, np.array(GIVEN)[rng.integers(len(GIVEN), size=n)], "")
    return np.char.add(np.char.add(s, g1), g2)


def _short(county: str) -> str:
    """How people write a county in a name: 镇宁布依族苗族自治县 -> 镇宁县, 六枝特区 -> 六枝."""
    if county.endswith("自治县"):
        return county[:2] + "县"
    if county.endswith("特区"):
        return county[:-2]
    return county


def weighted(rng: np.random.Generator, n: int, table: dict[str, float]) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys)[rng.choice(len(keys), size=n, p=p / p.sum())]


def customer_names(
    rng: np.random.Generator, county: np.ndarray, site_type: np.ndarray, province: str = "贵州"
) -> np.ndarray:
    """Group-customer names: public bodies of the county, bank branches, local firms (named after the
    province), own shops."""
    n = len(county)
    short = np.array([_short(c) for c in county])
    org = np.char.add(short, weighted(rng, n, dict(ORGS)))
    bank = np.char.add(np.char.add(np.array(BANKS)[rng.integers(len(BANKS), size=n)], short), "支行")
    firm = np.char.add(
        np.char.add(province, np.array(FIRM_WORDS)[rng.integers(len(FIRM_WORDS), size=n)]),
        np.char.add(np.array(FIRM_TRADES)[rng.integers(len(FIRM_TRADES), size=n)], "有限公司"),
    )
    shop = np.char.add(
        np.char.add("中国移动", short),
        np.char.add(np.array(ROADS)[rng.integers(len(ROADS), size=n)], "营业厅"),
    )
    u = rng.random(n)
    out = np.where(u < 0.55, org, np.where(u < 0.75, bank, firm))
    return np.where(site_type == "营业厅网", shop, out)


def addresses(rng: np.random.Generator, prefecture: np.ndarray, county: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A-end street addresses (some with one inner space, as EOMS has them) and Z-end machine rooms."""
    n = len(county)
    road = np.array(ROADS)[rng.integers(len(ROADS), size=n)]
    num = rng.integers(1, 300, size=n).astype(str)
    sep = np.where(rng.random(n) < 0.3, " ", "")
    a = np.char.add(np.char.add(np.char.add(prefecture, county), sep), np.char.add(np.char.add(road, num), "号"))
    z = np.char.add(np.char.add(county, np.array(HUBS)[rng.integers(len(HUBS), size=n)]), "机房")
    return a, z
