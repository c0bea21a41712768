/**
 * Things a shop's FAQ lists one by one (issue 12): the countries it ships to, the ways to pay, the
 * carriers, the sales events, the kinds of goods it sells. When the knowledge base names some members
 * of such a class and the question names another one (寄到日本 where the shop lists 德国/法国/美国; 支付宝 where it lists PayPal
 * and Visa), the best entry is about the class but not about what was asked: a strong sign for a
 * person. General world knowledge, not taken from any eval question; lower-cased, simplified forms.
 */
const CLASSES: Record<string, readonly string[]> = {
  // Destinations. Short forms that are often part of other words are left out (海地 in 上海地址, 西非 in
  // 东西非常, 加纳, 也门, 京都 in 北京都); synonyms and cities are folded into these names by shop-lexicon.ts
  // (澳大利亚 → 澳洲, 纽约 → 美国·纽约), since a synonym of a listed place must not count as unlisted.
  place: [
    // China and its regions: the shop ships from there, a question about shipping there is not covered.
    '中国', '国内', '大陆', '内地', '香港', '澳门', '台湾', '港澳台', '港澳', '港台',
    // Asia.
    '日本', '韩国', '朝鲜', '蒙古', '新加坡', '马来西亚', '泰国', '越南', '菲律宾', '印尼', '印度尼西亚', '印度', '柬埔寨', '老挝', '缅甸',
    '文莱', '东帝汶', '孟加拉', '斯里兰卡', '尼泊尔', '不丹', '马尔代夫', '巴基斯坦', '阿富汗', '哈萨克斯坦', '乌兹别克斯坦',
    '吉尔吉斯斯坦', '塔吉克斯坦', '土库曼斯坦', '星马', '新马泰', '日韩', '东南亚', '东亚', '亚洲',
    // Middle East.
    '迪拜', '阿联酋', '沙特', '卡塔尔', '科威特', '以色列', '巴勒斯坦', '约旦', '黎巴嫩', '叙利亚', '伊拉克', '伊朗', '土耳其', '中东',
    // Europe.
    '欧洲', '欧盟', '北欧', '东欧', '西欧', '南欧', '中欧', '英国', '法国', '德国', '意大利', '西班牙', '葡萄牙', '荷兰', '比利时', '卢森堡',
    '瑞士', '奥地利', '爱尔兰', '北爱尔兰', '英格兰', '苏格兰', '威尔士', '丹麦', '瑞典', '挪威', '芬兰', '冰岛', '波兰', '捷克', '斯洛伐克',
    '匈牙利', '罗马尼亚', '保加利亚', '希腊', '塞浦路斯', '马耳他', '克罗地亚', '斯洛文尼亚', '塞尔维亚', '波黑', '阿尔巴尼亚', '马其顿',
    '黑山共和国', '摩尔多瓦', '乌克兰', '白俄罗斯', '俄罗斯', '俄国', '立陶宛', '拉脱维亚', '爱沙尼亚', '摩纳哥', '安道尔', '列支敦士登',
    '圣马力诺', '梵蒂冈', '格鲁吉亚', '亚美尼亚', '阿塞拜疆', '格陵兰',
    // The Americas.
    '美国', '加拿大', '墨西哥', '夏威夷', '阿拉斯加', '波多黎各', '关岛', '塞班', '古巴', '牙买加', '巴哈马', '多米尼加', '危地马拉',
    '洪都拉斯', '萨尔瓦多', '尼加拉瓜', '哥斯达黎加', '巴拿马', '哥伦比亚', '委内瑞拉', '厄瓜多尔', '秘鲁', '玻利维亚', '巴西', '智利',
    '阿根廷', '乌拉圭', '巴拉圭', '圭亚那', '苏里南', '北美', '南美', '中美洲', '拉美', '美洲', '加勒比',
    // Oceania.
    '澳大利亚', '澳洲', '新西兰', '斐济', '巴布亚新几内亚', '萨摩亚', '帕劳', '大溪地', '大洋洲',
    // Africa.
    '非洲', '南非', '埃及', '摩洛哥', '阿尔及利亚', '突尼斯', '利比亚', '尼日利亚', '肯尼亚', '埃塞俄比亚', '坦桑尼亚', '乌干达',
    '卢旺达', '津巴布韦', '赞比亚', '安哥拉', '莫桑比克', '马达加斯加', '毛里求斯', '塞内加尔', '科特迪瓦', '喀麦隆', '刚果',
    // English names and safe abbreviations (it, in, de, es, my, id are ordinary words or pinyin: left out).
    'usa', 'uk', 'au', 'nz', 'eu', 'uae', 'jp', 'kr', 'hk', 'tw', 'sg', 'vn', 'europe', 'america', 'china', 'hong kong', 'taiwan', 'macau',
    'japan', 'korea', 'singapore', 'malaysia', 'thailand', 'vietnam', 'philippines', 'indonesia', 'india', 'pakistan', 'dubai', 'saudi arabia',
    'israel', 'turkey', 'russia', 'ukraine', 'germany', 'france', 'italy', 'spain', 'portugal', 'netherlands', 'holland', 'belgium',
    'switzerland', 'austria', 'ireland', 'denmark', 'sweden', 'norway', 'finland', 'iceland', 'poland', 'czech', 'hungary', 'romania',
    'greece', 'britain', 'england', 'scotland', 'canada', 'mexico', 'hawaii', 'alaska', 'puerto rico', 'brazil', 'argentina', 'chile',
    'peru', 'colombia', 'australia', 'new zealand', 'south africa', 'egypt', 'nigeria', 'kenya', 'morocco',
  ],
  payment: [
    'paypal', 'visa', 'mastercard', 'apple pay', 'google pay', 'samsung pay', 'amazon pay', 'shop pay', '支付宝', '微信支付', '微信', '银联',
    '云闪付', '数字人民币', '花呗', '借呗', '白条', '分期', '月付', '先买后付', '比特币', '以太坊', '泰达币', '虚拟币', '数字货币', '加密货币',
    '信用卡', '借记卡', '储蓄卡', '银行卡', '礼品卡', '银行转账', '转账', '电汇', '汇款', '西联', '支票', '现金', '货到付款', 'amex', '运通',
    'jcb', 'discover', 'diners', 'maestro', 'unionpay', 'klarna', 'afterpay', 'clearpay', 'affirm', 'sezzle', 'sofort', 'bancontact',
    'giropay', 'sepa', 'paysafecard', 'venmo', 'zelle', 'cash app', 'cashapp', 'payoneer', 'western union', 'paypay', 'line pay', 'kakao pay',
    'kakaopay', 'paytm', 'gcash', 'grabpay', 'alipay', 'wechat', 'wechat pay', 'bitcoin', 'btc', 'usdt', 'crypto', 'debit card', 'gift card',
    'cash', 'installment', 'installments',
  ],
  carrier: [
    'dhl', 'ups', 'fedex', 'usps', 'ems', 'tnt', 'dpd', 'gls', 'royal mail', 'parcelforce', 'evri', 'yodel', 'canada post', 'australia post',
    'auspost', 'japan post', 'la poste', 'colissimo', 'chronopost', 'deutsche post', 'postnl', 'bpost', 'poste italiane', 'correos', 'ontrac',
    'lasership', 'aramex', 'sf express', 'yunexpress', 'yanwen', '4px', 'cainiao', 'epacket', 'china post',
    '顺丰', '中通', '圆通', '申通', '韵达', '百世', '汇通', '德邦', '极兔', '宅急送', '优速', '京东', '邮政', 'e邮宝', '燕文', '云途', '递四方',
    '菜鸟', '万邑通', '出口易', '联邦快递', '皇家邮政', '黑猫', '佐川', '海运', '空运',
  ],
  event: [
    '双11', '双12', '618', '黑五', '黑色星期五', 'black friday', '网一', '网络星期一', 'cyber monday', 'prime day', '圣诞', 'christmas', 'xmas',
    '元旦', '春节', '新年', '除夕', '元宵', '情人节', '七夕', '38节', '妇女节', '女神节', '女王节', '劳动节', '五一', '母亲节', '父亲节', '儿童节',
    '端午', '中秋', '国庆', '万圣节', 'halloween', '感恩节', 'thanksgiving', '复活节', 'easter', '节礼日', 'boxing day', '年货节', '周年庆',
    '店庆', '会员日', '聚划算', '开学季', '清仓', '双旦',
  ],
  // Kinds of goods. The shop's own (衣服, 包包) make the class count; kinds a clothing and bag shop may not
  // sell are unlisted unless its knowledge names them. Garments and bag styles (裙子, 外套, 钱包) are left
  // out: the knowledge base says 衣服 and 包包, not every kind, and they are what the shop sells.
  product: [
    '衣服', '包包', '鞋', '靴', '化妆品', '护肤品', '彩妆', '美妆', '口红', '香水', '面膜', '电子产品', '数码产品', '耳机', '电脑', '相机',
    '充电宝', '充电器', '家电', '童装', '婴儿', '母婴', '奶粉', '纸尿裤', '尿不湿', '内衣', '文胸', '内裤', '首饰', '饰品', '珠宝', '项链',
    '耳环', '耳钉', '戒指', '手链', '手镯', '手表', '眼镜', '墨镜', '太阳镜', '玩具', '食品', '零食', '保健品', '药品', '宠物', '茶叶', '香烟',
    '电子烟', '家具', '床上用品', 'shoes', 'sneakers', 'boots', 'cosmetics', 'makeup', 'perfume', 'jewelry', 'jewellery', 'underwear',
    'lingerie', 'toys', 'electronics',
  ],
};

export interface EntityReader {
  /** How many entities of the question belong to a class the knowledge base lists, but are not listed. */
  unlisted(canonicalQuestion: string): number;
}

/** ASCII entities match whole words only (ups, not the ups in groups); compiled once. */
const WHOLE_WORD = new Map<string, RegExp>();
for (const members of Object.values(CLASSES)) {
  for (const m of members) if (/^[a-z0-9 ]+$/.test(m)) WHOLE_WORD.set(m, new RegExp(`(?<![a-z0-9])${m}(?![a-z0-9])`));
}

/** Entities are found as substrings; ASCII ones only as whole words. */
function mentions(text: string, entity: string): boolean {
  return WHOLE_WORD.get(entity)?.test(text) ?? text.includes(entity);
}

export function entityReader(canonicalCorpus: string): EntityReader {
  // Per class, the members the knowledge base names; a class it never names says nothing.
  const listed = Object.values(CLASSES)
    .map((members) => ({ members, known: members.filter((m) => mentions(canonicalCorpus, m)) }))
    .filter((c) => c.known.length > 0);
  return {
    unlisted(question: string): number {
      let n = 0;
      for (const c of listed) {
        // 微信支付 and 微信 are one mention: a member inside a longer mentioned member does not count.
        const said = c.members.filter((m) => mentions(question, m));
        for (const m of said) {
          if (c.known.includes(m)) continue;
          if (said.some((o) => o !== m && o.includes(m))) continue;
          n += 1;
        }
      }
      return n;
    },
  };
}
