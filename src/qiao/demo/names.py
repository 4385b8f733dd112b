"""Pools of realistic Chinese names, places and words for the demo data."""

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国志红文辉力鹏飞斌浩宇欣怡婷雪琳晨"
               "亮波宁凯俊峰龙海燕萍玲桂英兰秀梅丹云春晓东晶颖佳慧倩楠鑫瑞博")

# (province/city, district, 6-digit administrative division code, phone area code)
PLACES = {
    "华东区": [
        ("上海市", "浦东新区", "310115", "021"), ("上海市", "闵行区", "310112", "021"),
        ("江苏省南京市", "鼓楼区", "320106", "025"), ("江苏省苏州市", "工业园区", "320571", "0512"),
        ("浙江省杭州市", "西湖区", "330106", "0571"), ("浙江省宁波市", "鄞州区", "330212", "0574"),
        ("山东省济南市", "历下区", "370102", "0531"), ("安徽省合肥市", "蜀山区", "340104", "0551"),
    ],
    "华北区": [
        ("北京市", "朝阳区", "110105", "010"), ("北京市", "海淀区", "110108", "010"),
        ("天津市", "和平区", "120101", "022"), ("河北省石家庄市", "长安区", "130102", "0311"),
        ("山西省太原市", "小店区", "140105", "0351"), ("内蒙古呼和浩特市", "新城区", "150102", "0471"),
    ],
    "华南区": [
        ("广东省广州市", "天河区", "440106", "020"), ("广东省深圳市", "南山区", "440305", "0755"),
        ("广东省东莞市", "南城街道", "441900", "0769"), ("福建省厦门市", "思明区", "350203", "0592"),
        ("广西南宁市", "青秀区", "450103", "0771"), ("海南省海口市", "龙华区", "460106", "0898"),
    ],
}


def city_name(place: str) -> str:
    """The city as a shop's name starts with it: 江苏省苏州市 → 苏州, 内蒙古呼和浩特市 → 呼和浩特."""
    for province in ("省", "内蒙古", "广西"):
        place = place.split(province)[-1]
    return place.removesuffix("市")


# Subscriber digits after the area code where they are not 8 (what phonenumbers accepts).
LANDLINE_DIGITS = {"0351": 7, "0471": 7, "0592": 7, "0771": 7}
STREETS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "南京路", "黄河路",
           "友谊路", "文化路", "幸福路", "胜利路", "朝阳路", "工业路", "商业街", "科技路", "滨江路")
BUILDINGS = ("", "国际大厦", "商务中心", "科技园", "广场", "大厦", "商贸城")

# Company name = place-less brand + trade + legal form, the way Chinese firms are named.
BRAND_CHARS = ("恒", "鑫", "瑞", "华", "泰", "嘉", "盛", "宏", "信", "达", "隆", "丰", "源", "通",
               "益", "合", "昌", "荣", "兴", "祥", "安", "康", "永", "金", "宝", "德", "佳", "诚",
               "远", "新", "中", "天", "海", "明", "创", "联", "博", "卓", "正", "晟", "骏", "汇")
TRADES = {
    "retail": ("便利店", "超市", "百货商行", "烟酒商店", "日用品店"),
    "wholesale": ("商贸", "贸易", "批发", "供应链"),
    "catering": ("餐饮管理", "酒店管理", "食品"),
    "manufacturing": ("机械制造", "电子科技", "包装材料", "塑胶制品", "精密仪器"),
    "construction": ("建筑工程", "装饰工程", "建材"),
    "logistics": ("物流", "运输", "仓储服务"),
    "it": ("信息技术", "网络科技", "软件开发"),
    "finance": ("投资管理", "融资租赁"),
    "real_estate": ("置业", "物业管理", "房地产经纪"),
    "services": ("广告传媒", "企业管理咨询", "人力资源服务", "会展服务"),
    "public": ("学校后勤服务中心", "医院物资供应处"),
    "other": ("实业", "发展"),
}
LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "有限公司", "有限公司")
INDIVIDUAL_SHOPS = ("便利店", "烟酒店", "小卖部", "副食店", "超市")

PRODUCTS = ("卷烟", "饮料", "休闲食品", "日化用品", "办公用品", "电子产品", "包装材料", "酒类",
            "粮油", "五金配件")
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行",
         "浦发银行", "中信银行", "兴业银行", "平安银行")
TAGS = ("老客户", "重点跟进", "价格敏感", "回款及时", "有扩店计划", "竞品渗透", "连锁门店",
        "节假日旺销", "需要培训", "社区店")
TITLES = ("总经理", "副总经理", "采购经理", "财务主管", "店长", "老板", "业务主管", "行政经理")
CHARACTERS = ("爽快", "稳重", "谨慎", "健谈", "细致", "果断", "随和", "严谨")
HOBBIES = ("钓鱼", "羽毛球", "喝茶", "书法", "登山", "摄影", "象棋", "旅游", "篮球", "收藏")
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "158", "159",
                   "182", "183", "186", "187", "188", "130", "131", "132", "155", "156",
                   "176", "185", "133", "153", "177", "180", "181", "189", "199")

# Parts of a customer's record that an account manager updates on a follow-up (the "edited"
# event's message names them, as customers.services does: 修改：地址、电话).
# Follow-ups on a customer's timeline: (FollowUpChannel code, what was discussed).
FOLLOW_UPS = (("phone", "确认下月进货计划"), ("visit", "检查门店陈列"), ("visit", "送新品样品"),
              ("message", "发送促销政策"), ("phone", "回访售后问题"), ("visit", "核对上月货款"),
              ("phone", "了解竞品动态"))
OFFBOARDING_VISIT = ("visit", "办理退网手续，结清往来账")

# Files kept with a customer: (file name, content type, description, secret level, weight).
# A licence scan is internal, a photo of the shop front public, a purchase contract
# confidential, a copy of the legal representative's ID card secret.
ATTACHMENTS = (
    ("营业执照副本.pdf", "application/pdf", "营业执照副本扫描件", 1, 45),
    ("门店照片.png", "image/png", "门头及店内陈列照片", 0, 30),
    ("年度购销合同.pdf", "application/pdf", "年度购销合同（双方盖章）", 2, 18),
    ("法定代表人身份证复印件.png", "image/png", "法定代表人身份证正反面复印件", 3, 7),
)
