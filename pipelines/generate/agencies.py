"""Who publishes the generated reports: realistic Zhejiang agencies, each with a profile.

The profile steers the values (a market-regulation bureau decides thousands of licences, a
district government receives the most requests), so a generated corpus looks like a real one
when it is aggregated, not only report by report.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

# Value profiles: which parts of the tables are busy for this kind of agency.
SMALL = "small"  # a department with little public business: mostly zeros
LICENSING = "licensing"  # issues licences and permits in volume
ENFORCEMENT = "enforcement"  # penalties and coercive measures in volume
GOVERNMENT = "government"  # a people's government: many requests, rules, reviews


@dataclass(frozen=True)
class Agency:
    city: str  # 杭州市
    district: str  # 余杭区, or "" for a city-level agency
    unit: str  # 商务局
    profile: str = SMALL

    @property
    def full_name(self) -> str:
        """The registry name: 杭州市余杭区商务局."""
        return f"{self.city}{self.district}{self.unit}"

    @property
    def without_city(self) -> str:
        """The name as many district reports print it: 余杭区商务局 (only for district agencies)."""
        return f"{self.district}{self.unit}" if self.district else self.full_name

    @property
    def short_name(self) -> str:
        """How the report calls itself in running text and portal headers: 区商务局, 市民政局."""
        level = self.district[-1] if self.district else self.city[-1]
        if self.unit.endswith(("人民政府", "办事处")):
            return f"{self.district or self.city}{self.unit}"
        return f"{level}{self.unit}"

    @property
    def is_government(self) -> bool:
        return self.unit.endswith(("人民政府", "办事处"))


AGENCIES: tuple[Agency, ...] = (
    Agency("杭州市", "余杭区", "商务局"),
    Agency("杭州市", "余杭区", "经济和信息化局"),
    Agency("杭州市", "余杭区", "科学技术局"),
    Agency("杭州市", "临安区", "经济和信息化局"),
    Agency("杭州市", "", "投资促进局"),
    Agency("杭州市", "", "市场监督管理局", LICENSING),
    Agency("杭州市", "萧山区", "综合行政执法局", ENFORCEMENT),
    Agency("杭州市", "拱墅区", "发展和改革局"),
    Agency("杭州市", "西湖区", "人民政府", GOVERNMENT),
    Agency("宁波市", "鄞州区", "教育局"),
    Agency("宁波市", "海曙区", "人力资源和社会保障局", LICENSING),
    Agency("宁波市", "", "自然资源和规划局", LICENSING),
    Agency("宁波市", "北仑区", "城市管理局", ENFORCEMENT),
    Agency("温州市", "", "民政局"),
    Agency("温州市", "鹿城区", "卫生健康局", LICENSING),
    Agency("温州市", "瓯海区", "住房和城乡建设局", LICENSING),
    Agency("嘉兴市", "南湖区", "农业农村局"),
    Agency("嘉兴市", "", "生态环境局", ENFORCEMENT),
    Agency("湖州市", "吴兴区", "交通运输局", LICENSING),
    Agency("湖州市", "德清县", "人民政府", GOVERNMENT),
    Agency("绍兴市", "越城区", "司法局"),
    Agency("绍兴市", "柯桥区", "财政局"),
    Agency("金华市", "婺城区", "退役军人事务局"),
    Agency("金华市", "", "统计局"),
    Agency("衢州市", "柯城区", "应急管理局", ENFORCEMENT),
    Agency("衢州市", "", "审计局"),
    Agency("舟山市", "普陀区", "水利局"),
    Agency("舟山市", "", "文化和广电旅游体育局"),
    Agency("台州市", "黄岩区", "民政局"),
    Agency("台州市", "椒江区", "综合行政执法局", ENFORCEMENT),
    Agency("丽水市", "莲都区", "医疗保障局"),
    Agency("丽水市", "", "林业局"),
)


def pick_agency(rng: Random, with_city: bool) -> Agency:
    """An agency for one report; a report that omits the city must be by a district agency."""
    pool = AGENCIES if with_city else tuple(a for a in AGENCIES if a.district)
    return rng.choice(pool)
