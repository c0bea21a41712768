/**
 * The shop-domain lexicon (issue 12): how customers write what a shop's knowledge base says in its own
 * words. Every pair rewrites a colloquial form, a common typo or homophone, a synonym or an English
 * shop word to the word a shop's FAQ uses, on the question AND on the knowledge entries, so both meet
 * on one form. Written from general e-commerce customer-service usage, not from the eval questions
 * (their wording is never copied here). Kept unambiguous: a rewrite applies anywhere in the text, so
 * a form that is often part of another word does not belong here (真人 is also 真人图, a photo; 拍下
 * is also taking one; 卡达 is in 信用卡达到). Covers every topic of a clothing and bag shop's FAQ, the
 * dialect, typo, pinyin-initial and English forms customers type on WeChat, and place names.
 */

/** [what customers write, the form knowledge entries use]; longer forms win over shorter ones. */
const REWRITES: readonly (readonly [string, string])[] = [
  // Colloquial and dialect function words (they then count as the weak words they are): 咋/啥 (northern),
  // 咋个/啷个/么子 (south-west), 冇/几耐/点样/边度/乜嘢 (Cantonese), 多会儿 (north).
  ['咋样', '怎么样'], ['咋办', '怎么办'], ['咋弄', '怎么办'], ['咋整', '怎么办'], ['咋个', '怎么'], ['啷个', '怎么'], ['咋', '怎么'],
  ['啥时候', '什么时候'], ['啥时后', '什么时候'], ['啥时', '什么时候'], ['什么时后', '什么时候'], ['什么时间', '什么时候'], ['几时', '什么时候'],
  ['多会儿', '什么时候'], ['何时', '什么时候'], ['哪天', '什么时候'], ['嘛时候', '什么时候'], ['啥子', '什么'], ['么子', '什么'], ['乜嘢', '什么'],
  ['为啥', '为什么'], ['啥', '什么'], ['神马', '什么'], ['肿么', '怎么'], ['点样', '怎么'], ['边度', '哪里'],
  ['木有', '没有'], ['没得', '没有'], ['莫有', '没有'], ['莫得', '没有'], ['么得', '没有'], ['冇得', '没有'], ['冇', '没有'],
  ['多钱', '多少钱'],
  ['多长时间', '多久'], ['多少时间', '多久'], ['多少天', '多久'], ['几天', '多久'], ['几日', '多久'], ['几耐', '多久'], ['多久时间', '多久'],
  ['要多久', '多久'], ['好久', '多久'],
  // Typos and homophones of shop words (pinyin input picks the wrong character of the same sound).
  ['包油', '包邮'], ['包由', '包邮'], ['包游', '包邮'], ['保邮', '包邮'], ['运废', '运费'], ['云费', '运费'],
  ['发漂', '发票'], ['发飘', '发票'], ['开漂', '开发票'], ['报消', '报销'],
  ['退宽', '退款'], ['退欵', '退款'], ['推款', '退款'], ['推货', '退货'], ['退获', '退货'], ['到帐', '到账'],
  ['优惠卷', '优惠券'], ['优汇券', '优惠券'], ['优惠劵', '优惠券'], ['劵', '优惠券'], ['尺吗', '尺码'], ['尺马', '尺码'], ['尺玛', '尺码'], ['尺嘛', '尺码'],
  ['正口', '正品'], ['证品', '正品'], ['物留', '物流'], ['快第', '快递'], ['块递', '快递'], ['定经', '定金'], ['订金', '定金'], ['订经', '定金'],
  ['尾宽', '尾款'], ['积份', '积分'], ['现获', '现货'], ['线货', '现货'], ['发或', '发货'], ['发获', '发货'], ['发火', '发货'], ['带发', '代发'],
  ['清官', '包税清关'], ['欧州', '欧洲'], ['支付包', '支付宝'], ['威信', '微信'], ['薇信', '微信'],
  // Names that hold a shorter form of this list but are one name: kept whole (订单号 is not 订 + 单号 → 物流单号).
  ['订单号', '订单号'], ['订单编号', '订单号'], ['巴黎世家', '巴黎世家'], ['google pay', 'google pay'], ['samsung pay', 'samsung pay'],
  ['amazon pay', 'amazon pay'], ['shop pay', 'shop pay'], ['line pay', 'line pay'], ['kakao pay', 'kakao pay'], ['gift card', '礼品卡'],
  ['运费险', '运费险'], ['清仓', '清仓'], ['会员日', '会员日'],
  // Synonyms: the customer's word → the shop's word.
  ['退钱', '退款'], ['返钱', '退款'], ['钱退回', '退款'], ['钱退', '退款'], ['退费', '退款'], ['返款', '退款'], ['入账', '到账'], ['原路返回', '原路退回'],
  ['免运费', '包邮'], ['免邮费', '包邮'], ['免邮', '包邮'], ['免运', '包邮'], ['不要运费', '包邮'], ['不要邮费', '包邮'], ['不收运费', '包邮'],
  ['不用运费', '包邮'], ['运费全免', '包邮'], ['包运费', '包邮'], ['免费送货', '包邮'], ['免费配送', '包邮'],
  ['邮费', '运费'], ['快递费', '运费'], ['寄费', '运费'], ['邮寄费', '运费'], ['邮资', '运费'], ['运输费', '运费'], ['物流费', '运费'], ['配送费', '运费'],
  ['撤销', '取消'], ['撤回', '取消'], ['作废', '取消'], ['撤单', '取消订单'], ['退单', '取消订单'], ['不要了', '取消'],
  ['破洞', '破损'], ['有洞', '破损'], ['口子', '破损'], ['划痕', '破损'], ['刮花', '破损'], ['开线', '破损'], ['坏了', '破损'], ['坏的', '破损'],
  ['烂了', '破损'], ['瑕疵', '破损'], ['洞', '破损'], ['坏', '破损'], ['脱线', '破损'], ['线头', '破损'], ['开胶', '破损'], ['掉色', '破损'],
  ['褪色', '破损'], ['污渍', '破损'], ['破了', '破损'], ['破的', '破损'], ['裂开', '破损'], ['裂了', '破损'], ['撕裂', '破损'], ['扯破', '破损'],
  ['磨损', '破损'], ['压扁', '破损'], ['变形', '破损'], ['掉扣', '破损'], ['脏了', '破损'],
  ['质量差', '质量问题'], ['质量不好', '质量问题'], ['做工差', '质量问题'], ['残次品', '质量问题'], ['次品', '质量问题'], ['补发', '换新'],
  ['发出去', '发货'], ['发出', '发货'], ['寄出', '发货'], ['出货', '发货'], ['发走', '发货'], ['发件', '发货'], ['配货', '发货'], ['打包', '发货'],
  // Not → 收到: a message of 收到 and question words alone reads as the chat "收到" (got it), see isChitChat.
  ['到货', '收到'], ['到手', '送达'], ['签收', '送达'], ['拿到', '送达'], ['送到', '送达'], ['到达', '送达'], ['抵达', '送达'], ['妥投', '送达'],
  ['寄去', '寄到'], ['寄往', '寄到'], ['发到', '寄到'], ['发往', '寄到'], ['送去', '寄到'], ['邮到', '寄到'], ['运到', '寄到'],
  ['快递公司', '快递'], ['物流公司', '快递'], ['货运', '快递'], ['派送', '配送'],
  ['快递单号', '物流单号'], ['运单号', '物流单号'], ['跟踪号', '物流单号'], ['追踪号', '物流单号'], ['单号', '物流单号'], ['运单', '物流单号'],
  ['追踪', '查看物流'], ['跟踪', '查看物流'], ['查件', '查看物流'], ['到哪里了', '查看物流'], ['到哪儿了', '查看物流'], ['到哪了', '查看物流'],
  ['物流信息', '物流'],
  ['到了再给钱', '货到付款'], ['到付', '货到付款'], ['货到付', '货到付款'], ['货到支付', '货到付款'], ['货到再付', '货到付款'],
  ['收货付款', '货到付款'], ['收到再付', '货到付款'], ['先收货后付款', '货到付款'], ['先货后款', '货到付款'],
  ['贝宝', 'paypal'], ['苹果支付', 'apple pay'], ['applepay', 'apple pay'], ['谷歌支付', 'google pay'], ['googlepay', 'google pay'],
  ['gpay', 'google pay'], ['三星支付', 'samsung pay'], ['万事达', 'mastercard'], ['master card', 'mastercard'], ['维萨', 'visa'],
  ['美国运通', 'amex'], ['运通卡', 'amex'], ['银联卡', '银联'], ['刷卡', '信用卡'], ['微信付款', '微信支付'], ['微信付', '微信支付'],
  ['支付方式', '付款方式'], ['支付', '付款'], ['付钱', '付款'], ['结账', '结算'],
  ['打折', '折扣'], ['便宜点', '折扣'], ['便宜些', '折扣'], ['折扣码', '优惠券'], ['优惠码', '优惠券'], ['兑换码', '优惠券'], ['促销码', '优惠券'],
  ['代金券', '优惠券'], ['现金券', '优惠券'], ['现金红包', '优惠券'], ['红包', '优惠券'], ['券', '优惠券'], ['满减', '满减活动'],
  ['一起用', '叠加使用'], ['同时用', '叠加使用'], ['同时使用', '叠加使用'], ['新人', '新用户'], ['新客', '新用户'], ['新顾客', '新用户'],
  ['首单', '新用户'], ['大促', '活动'], ['促销', '活动'],
  ['九折', '9折'], ['八折', '8折'], ['七折', '7折'], ['六折', '6折'], ['五折', '5折'], ['八五折', '85折'], ['九五折', '95折'],
  ['光棍节', '双11'], ['年中大促', '618'], ['六一八', '618'], ['黑色星期五', '黑五'], ['网络星期一', '网一'], ['圣诞节', '圣诞'],
  ['国庆节', '国庆'], ['中秋节', '中秋'], ['端午节', '端午'], ['元宵节', '元宵'], ['七夕节', '七夕'], ['过年', '春节'], ['农历新年', '春节'],
  ['大年三十', '除夕'], ['三八妇女节', '38节'], ['三八节', '38节'], ['妇女节', '38节'], ['女神节', '38节'], ['女王节', '38节'],
  ['定钱', '定金'], ['押金', '定金'], ['余款', '尾款'], ['补尾款', '尾款'],
  ['开票', '开发票'], ['收据', '发票'], ['专票', '发票'], ['普票', '发票'], ['增值税发票', '发票'], ['报账', '报销'],
  // A question about fakes is a question about authenticity: the shop's entry says 正品 (and 假一赔十).
  ['真货', '正品'], ['真品', '正品'], ['原装', '正品'], ['假货', '正品'], ['假的', '正品'], ['a货', '正品'], ['高仿', '正品'], ['仿品', '正品'],
  ['山寨', '正品'], ['复刻', '正品'], ['授权', '正品'], ['行货', '正品'],
  ['尺寸表', '尺码表'], ['尺寸', '尺码'], ['码数', '尺码'], ['码子', '尺码'], ['号型', '尺码'], ['大小', '尺码'], ['穿多大码', '穿什么尺码'],
  ['穿多大', '穿什么尺码'], ['最小号', 'xs码'], ['最大号', 'xxl码'],
  ['洗衣机', '机洗'], ['机器洗', '机洗'], ['手搓', '手洗'], ['水洗', '洗涤'], ['清洗', '洗涤'], ['保养', '洗涤'],
  ['材质', '面料'], ['布料', '面料'], ['料子', '面料'], ['质地', '面料'], ['成分', '面料'], ['桑蚕丝', '真丝'], ['蚕丝', '真丝'], ['丝绸', '真丝'],
  ['羊绒', '羊毛'], ['服装', '衣服'], ['服饰', '衣服'], ['衣物', '衣服'],
  ['仓库', '仓'], ['当地仓', '海外仓'], ['本地仓', '海外仓'], ['国外仓', '海外仓'], ['本地发货', '海外仓'], ['本土发货', '海外仓'], ['保税区', '保税仓'],
  ['海关', '关税'], ['税金', '关税'], ['税费', '关税'], ['交税', '关税'], ['收税', '关税'], ['征税', '关税'], ['缴税', '关税'], ['扣税', '关税'],
  ['补税', '关税'], ['进口税', '关税'], ['增值税', '关税'], ['消费税', '关税'], ['免关税', '包税'], ['包关税', '包税'], ['免税', '包税'],
  ['包清关', '包税清关'], ['报关', '包税清关'], ['清关', '包税清关'],
  ['送人', '礼物'], ['送礼', '礼物'], ['礼品盒', '礼盒'], ['礼物盒', '礼盒'], ['礼品袋', '包装'], ['包装袋', '包装'], ['礼品', '礼物'],
  ['贺卡', '卡片'], ['小卡片', '卡片'], ['祝福卡', '卡片'], ['留言卡', '卡片'], ['包装盒', '礼盒'], ['盒子', '礼盒'],
  ['价格标签', '价格单'], ['价签', '价格单'], ['小票', '价格单'], ['发货单', '价格单'],
  ['换货', '退换货'], ['退换', '退换货'], ['退回去', '退货'], ['寄回', '退货'], ['退掉', '退货'], ['退了', '退货'],
  ['有货', '现货'], ['有库存', '现货'], ['缺货', '现货'], ['断货', '现货'], ['库存', '现货'], ['预订', '预售'], ['预定', '预售'],
  ['改地址', '修改收货地址'], ['换地址', '修改收货地址'], ['修改地址', '修改收货地址'], ['更改地址', '修改收货地址'], ['改收货地址', '修改收货地址'],
  ['改个地址', '修改收货地址'], ['地址填错', '地址写错'], ['地址错了', '地址写错'], ['收件地址', '收货地址'], ['收件人', '收货人'], ['门牌号', '地址'],
  ['下班', '工作时间'], ['上班', '工作时间'], ['营业时间', '工作时间'], ['在线时间', '工作时间'], ['值班', '工作时间'], ['开门', '工作时间'],
  ['真人客服', '人工客服'], ['人工服务', '人工客服'], ['转人工', '人工客服'],
  ['会员卡', '会员'], ['抵钱', '抵扣'], ['抵现', '抵扣'], ['当钱用', '抵扣'],
  ['代寄', '代发'], ['一件代发', '代发'], ['帮我寄给', '代发给'], ['寄给朋友', '代发给朋友'], ['寄给别人', '代发给朋友'], ['发给别人', '代发给朋友'],
  ['已拍', '下单'], ['拍单', '下单'], ['付完款', '下单'],
  // Places: synonyms, Taiwan and Hong Kong names, and groups → the names shop-entities.ts lists; cities → their
  // country (the middle dot keeps the rewrite idempotent and out of the segmenter's dictionary).
  ['老美', '美国'], ['米国', '美国'], ['美帝', '美国'], ['美利坚', '美国'], ['大不列颠', '英国'], ['联合王国', '英国'], ['澳大利亚', '澳洲'],
  ['纽西兰', '新西兰'], ['义大利', '意大利'], ['星加坡', '新加坡'], ['狮城', '新加坡'], ['南韩', '韩国'], ['北韩', '朝鲜'], ['湾湾', '台湾'],
  ['印度尼西亚', '印尼'], ['寮国', '老挝'], ['汶莱', '文莱'], ['沙特阿拉伯', '沙特'], ['沙乌地阿拉伯', '沙特'], ['沙乌地', '沙特'],
  ['阿拉伯联合酋长国', '阿联酋'], ['杜拜', '阿联酋·迪拜'], ['迪拜', '阿联酋·迪拜'], ['阿布扎比', '阿联酋·阿布扎比'],
  ['俄国', '俄罗斯'], ['白俄', '白俄罗斯'], ['尼德兰', '荷兰'], ['克罗埃西亚', '克罗地亚'], ['斯洛维尼亚', '斯洛文尼亚'], ['赛普勒斯', '塞浦路斯'],
  ['马尔他', '马耳他'], ['列支敦斯登', '列支敦士登'], ['亚塞拜然', '阿塞拜疆'], ['哈萨克', '哈萨克斯坦'], ['乌兹别克', '乌兹别克斯坦'],
  ['吉尔吉斯', '吉尔吉斯斯坦'], ['马尔地夫', '马尔代夫'], ['肯亚', '肯尼亚'], ['奈及利亚', '尼日利亚'], ['坦尚尼亚', '坦桑尼亚'],
  ['衣索比亚', '埃塞俄比亚'], ['突尼西亚', '突尼斯'], ['模里西斯', '毛里求斯'], ['瓜地马拉', '危地马拉'], ['宏都拉斯', '洪都拉斯'],
  ['哥斯大黎加', '哥斯达黎加'], ['多明尼加', '多米尼加'], ['厄瓜多', '厄瓜多尔'], ['盖亚那', '圭亚那'], ['苏利南', '苏里南'],
  ['巴布亚纽几内亚', '巴布亚新几内亚'], ['南美洲', '南美'], ['北美洲', '北美'], ['拉丁美洲', '拉美'], ['欧盟', '欧洲'],
  ['欧美', '欧洲·美国'], ['英美', '英国·美国'], ['日韩', '日本·韩国'], ['港澳台', '香港·澳门·台湾'], ['港澳', '香港·澳门'], ['港台', '香港·台湾'],
  ['星马', '新加坡·马来西亚'], ['新马泰', '新加坡·马来西亚·泰国'],
  ['纽约', '美国·纽约'], ['洛杉矶', '美国·洛杉矶'], ['旧金山', '美国·旧金山'], ['西雅图', '美国·西雅图'], ['芝加哥', '美国·芝加哥'],
  ['波士顿', '美国·波士顿'], ['休斯顿', '美国·休斯顿'], ['费城', '美国·费城'], ['拉斯维加斯', '美国·拉斯维加斯'], ['迈阿密', '美国·迈阿密'],
  ['亚特兰大', '美国·亚特兰大'], ['达拉斯', '美国·达拉斯'], ['华盛顿', '美国·华盛顿'], ['加州', '美国·加州'], ['加利福尼亚', '美国·加州'],
  ['佛州', '美国·佛州'], ['佛罗里达', '美国·佛州'], ['德克萨斯', '美国·德克萨斯'], ['新泽西', '美国·新泽西'], ['湾区', '美国·湾区'],
  ['多伦多', '加拿大·多伦多'], ['温哥华', '加拿大·温哥华'], ['蒙特利尔', '加拿大·蒙特利尔'], ['渥太华', '加拿大·渥太华'], ['卡尔加里', '加拿大·卡尔加里'],
  ['伦敦', '英国·伦敦'], ['曼彻斯特', '英国·曼彻斯特'], ['伯明翰', '英国·伯明翰'], ['利物浦', '英国·利物浦'], ['爱丁堡', '英国·爱丁堡'],
  ['格拉斯哥', '英国·格拉斯哥'], ['英格兰', '英国·英格兰'], ['苏格兰', '英国·苏格兰'], ['威尔士', '英国·威尔士'], ['北爱尔兰', '英国·北爱尔兰'],
  ['巴黎', '法国·巴黎'], ['里昂', '法国·里昂'], ['柏林', '德国·柏林'], ['慕尼黑', '德国·慕尼黑'], ['法兰克福', '德国·法兰克福'], ['科隆', '德国·科隆'],
  ['杜塞尔多夫', '德国·杜塞尔多夫'], ['斯图加特', '德国·斯图加特'], ['米兰', '意大利·米兰'], ['佛罗伦萨', '意大利·佛罗伦萨'],
  ['威尼斯', '意大利·威尼斯'], ['马德里', '西班牙·马德里'], ['巴塞罗那', '西班牙·巴塞罗那'], ['阿姆斯特丹', '荷兰·阿姆斯特丹'],
  ['鹿特丹', '荷兰·鹿特丹'], ['布鲁塞尔', '比利时·布鲁塞尔'], ['苏黎世', '瑞士·苏黎世'], ['日内瓦', '瑞士·日内瓦'], ['维也纳', '奥地利·维也纳'],
  ['莫斯科', '俄罗斯·莫斯科'], ['伊斯坦布尔', '土耳其·伊斯坦布尔'],
  ['东京', '日本·东京'], ['大阪', '日本·大阪'], ['名古屋', '日本·名古屋'], ['横滨', '日本·横滨'], ['北海道', '日本·北海道'], ['冲绳', '日本·冲绳'],
  ['首尔', '韩国·首尔'], ['釜山', '韩国·釜山'], ['吉隆坡', '马来西亚·吉隆坡'], ['曼谷', '泰国·曼谷'], ['普吉岛', '泰国·普吉岛'],
  ['河内', '越南·河内'], ['胡志明', '越南·胡志明'], ['马尼拉', '菲律宾·马尼拉'], ['雅加达', '印尼·雅加达'], ['巴厘岛', '印尼·巴厘岛'],
  ['孟买', '印度·孟买'], ['新德里', '印度·新德里'],
  ['悉尼', '澳洲·悉尼'], ['墨尔本', '澳洲·墨尔本'], ['布里斯班', '澳洲·布里斯班'], ['珀斯', '澳洲·珀斯'], ['奥克兰', '新西兰·奥克兰'],
  ['圣保罗', '巴西·圣保罗'],
  // Carriers: Chinese names and the forms customers use → one name each.
  ['敦豪', 'dhl'], ['联合包裹', 'ups'], ['联邦快递', 'fedex'], ['联邦', 'fedex'], ['美国邮政', 'usps'], ['皇家邮政', 'royal mail'],
  ['加拿大邮政', 'canada post'], ['澳洲邮政', 'australia post'], ['日本邮政', 'japan post'], ['法国邮政', 'la poste'], ['德国邮政', 'deutsche post'],
  ['荷兰邮政', 'postnl'], ['中国邮政', '邮政'], ['邮政小包', '邮政'], ['邮政编码', '邮编'], ['京东物流', '京东'], ['京东快递', '京东'],
  ['百世汇通', '百世'], ['顺丰快递', '顺丰'], ['sf express', '顺丰'], ['ems快递', 'ems'], ['china post', '邮政'],
  // Payment methods, cards and wallets.
  ['alipay', '支付宝'], ['zfb', '支付宝'], ['wechat pay', '微信支付'], ['wechatpay', '微信支付'], ['weixin pay', '微信支付'], ['wechat', '微信'],
  ['weixin', '微信'], ['wx', '微信'], ['vx', '微信'], ['unionpay', '银联'], ['pay pal', 'paypal'], ['pp', 'paypal'], ['master', 'mastercard'],
  ['american express', 'amex'], ['bitcoin', '比特币'], ['btc', '比特币'], ['installments', '分期'], ['installment', '分期'],
  // English shop words, as customers mix them in.
  ['free shipping', '包邮'], ['free delivery', '包邮'], ['free ship', '包邮'], ['shipping fee', '运费'], ['shipping cost', '运费'],
  ['shipping costs', '运费'], ['delivery fee', '运费'], ['postage', '运费'], ['return shipping', '退货运费'], ['ship from', '发货地'],
  ['shipped from', '发货地'], ['shipping', '寄到'], ['ship', '寄到'], ['shipped', '发货'], ['dispatch', '发货'], ['dispatched', '发货'],
  ['delivery time', '送达'], ['delivery', '送达'], ['deliver', '送达'], ['delivered', '送达'], ['arrive', '送达'], ['arrival', '送达'],
  ['receive', '收到'], ['received', '收到'], ['courier', '快递'], ['express', '快递'], ['logistics', '物流'], ['tracking number', '物流单号'],
  ['tracking no', '物流单号'], ['waybill', '物流单号'], ['tracking', '查看物流'], ['track', '查看物流'], ['refund', '退款'], ['refunds', '退款'],
  ['refunded', '退款'], ['money back', '退款'], ['return policy', '退换货'], ['return', '退货'], ['returns', '退货'], ['exchange', '退换货'],
  ['cancel', '取消'], ['cancelled', '取消'], ['canceled', '取消'], ['cancellation', '取消'], ['order number', '订单号'], ['order', '订单'],
  ['invoice', '发票'], ['receipt', '发票'], ['reimburse', '报销'], ['reimbursement', '报销'], ['coupon', '优惠券'], ['coupons', '优惠券'],
  ['voucher', '优惠券'], ['promo code', '优惠券'], ['discount code', '优惠券'], ['discount', '折扣'], ['new customer', '新用户'], ['new user', '新用户'],
  ['first order', '新用户'], ['newsletter', '订阅邮件'], ['subscribe', '订阅'], ['size chart', '尺码表'], ['size guide', '尺码表'], ['size', '尺码'],
  ['sizes', '尺码'], ['sizing', '尺码'], ['in stock', '现货'], ['out of stock', '现货'], ['stock', '现货'], ['pre-order', '预售'], ['preorder', '预售'],
  ['pre-sale', '预售'], ['presale', '预售'], ['cash on delivery', '货到付款'], ['pay on delivery', '货到付款'], ['cod', '货到付款'],
  ['credit card', '信用卡'], ['pay', '付款'], ['payment', '付款'], ['checkout', '结算'], ['final payment', '尾款'], ['balance payment', '尾款'],
  ['balance', '尾款'], ['deposit', '定金'], ['tax free', '包税'], ['duty free', '包税'], ['tax included', '包税'], ['ddp', '包税'],
  ['customs clearance', '包税清关'], ['import tax', '关税'], ['tariff', '关税'], ['vat', '关税'], ['tax', '关税'], ['customs', '关税'],
  ['duty', '关税'], ['duties', '关税'], ['local warehouse', '海外仓'], ['warehouse', '海外仓'], ['gift box', '礼盒'], ['gift wrap', '礼盒'],
  ['gift wrapping', '礼盒'], ['greeting card', '卡片'], ['packaging', '包装'], ['gift', '礼物'], ['machine wash', '机洗'], ['hand wash', '手洗'],
  ['dry clean', '干洗'], ['washing', '洗涤'], ['wash', '洗涤'], ['fabric', '面料'], ['material', '面料'], ['silk', '真丝'], ['wool', '羊毛'],
  ['cashmere', '羊毛'], ['damaged', '破损'], ['damage', '破损'], ['broken', '破损'], ['torn', '破损'], ['hole', '破损'], ['stain', '破损'],
  ['defective', '质量问题'], ['defect', '质量问题'], ['faulty', '质量问题'], ['quality issue', '质量问题'], ['authentic', '正品'],
  ['genuine', '正品'], ['original', '正品'], ['legit', '正品'], ['fake', '正品'], ['replica', '正品'], ['counterfeit', '正品'],
  ['reward points', '积分'], ['points', '积分'], ['redeem', '抵扣'], ['membership', '会员'], ['member', '会员'], ['vip', '会员'],
  ['customer service', '客服'], ['working hours', '工作时间'], ['business hours', '工作时间'], ['opening hours', '工作时间'],
  ['office hours', '工作时间'], ['real person', '人工客服'], ['live agent', '人工客服'], ['human', '人工客服'], ['agent', '人工客服'],
  ['dropshipping', '代发'], ['dropship', '代发'], ['drop ship', '代发'], ['how long', '多久'], ['change address', '修改收货地址'],
  ['wrong address', '地址写错'], ['address', '地址'], ['friend', '朋友'], ['asap', '尽快'],
  ['black friday', '黑五'], ['cyber monday', '网一'], ['christmas', '圣诞'], ['xmas', '圣诞'], ['chinese new year', '春节'],
  ['lunar new year', '春节'], ['cny', '春节'], ['new year', '新年'], ['thanksgiving', '感恩节'], ['halloween', '万圣节'], ['easter', '复活节'],
  ['valentines day', '情人节'], ['valentine', '情人节'], ['mothers day', '母亲节'], ['fathers day', '父亲节'], ['boxing day', '节礼日'],
  ['singles day', '双11'], ['double 11', '双11'], ['double eleven', '双11'], ['11.11', '双11'], ['double 12', '双12'], ['12.12', '双12'],
  ['6.18', '618'], ['balenciaga', '巴黎世家'],
  // English place names and abbreviations (it, in, de, es, my, id, ca are ordinary words or pinyin: left out).
  ['europe', '欧洲'], ['european', '欧洲'], ['eu', '欧洲'], ['usa', '美国'], ['us', '美国'], ['america', '美国'], ['united states', '美国'],
  ['uk', '英国'], ['united kingdom', '英国'], ['britain', '英国'], ['great britain', '英国'], ['england', '英国·英格兰'], ['scotland', '英国·苏格兰'],
  ['wales', '英国·威尔士'], ['germany', '德国'], ['france', '法国'], ['italy', '意大利'], ['spain', '西班牙'], ['portugal', '葡萄牙'],
  ['netherlands', '荷兰'], ['holland', '荷兰'], ['belgium', '比利时'], ['luxembourg', '卢森堡'], ['switzerland', '瑞士'], ['austria', '奥地利'],
  ['ireland', '爱尔兰'], ['denmark', '丹麦'], ['sweden', '瑞典'], ['norway', '挪威'], ['finland', '芬兰'], ['iceland', '冰岛'], ['poland', '波兰'],
  ['czech', '捷克'], ['czechia', '捷克'], ['slovakia', '斯洛伐克'], ['hungary', '匈牙利'], ['romania', '罗马尼亚'], ['bulgaria', '保加利亚'],
  ['greece', '希腊'], ['cyprus', '塞浦路斯'], ['malta', '马耳他'], ['croatia', '克罗地亚'], ['slovenia', '斯洛文尼亚'], ['serbia', '塞尔维亚'],
  ['estonia', '爱沙尼亚'], ['latvia', '拉脱维亚'], ['lithuania', '立陶宛'], ['ukraine', '乌克兰'], ['russia', '俄罗斯'], ['turkey', '土耳其'],
  ['monaco', '摩纳哥'], ['china', '中国'], ['hong kong', '香港'], ['hk', '香港'], ['macau', '澳门'], ['macao', '澳门'], ['taiwan', '台湾'],
  ['tw', '台湾'], ['japan', '日本'], ['jp', '日本'], ['korea', '韩国'], ['south korea', '韩国'], ['kr', '韩国'], ['singapore', '新加坡'],
  ['sg', '新加坡'], ['malaysia', '马来西亚'], ['thailand', '泰国'], ['vietnam', '越南'], ['vn', '越南'], ['philippines', '菲律宾'],
  ['indonesia', '印尼'], ['india', '印度'], ['pakistan', '巴基斯坦'], ['bangladesh', '孟加拉'], ['sri lanka', '斯里兰卡'], ['nepal', '尼泊尔'],
  ['cambodia', '柬埔寨'], ['myanmar', '缅甸'], ['laos', '老挝'], ['mongolia', '蒙古'], ['kazakhstan', '哈萨克斯坦'], ['israel', '以色列'],
  ['uae', '阿联酋'], ['dubai', '阿联酋·迪拜'], ['saudi arabia', '沙特'], ['saudi', '沙特'], ['ksa', '沙特'], ['qatar', '卡塔尔'],
  ['kuwait', '科威特'], ['canada', '加拿大'], ['mexico', '墨西哥'], ['hawaii', '夏威夷'], ['alaska', '阿拉斯加'], ['puerto rico', '波多黎各'],
  ['brazil', '巴西'], ['argentina', '阿根廷'], ['chile', '智利'], ['peru', '秘鲁'], ['colombia', '哥伦比亚'], ['australia', '澳洲'], ['au', '澳洲'],
  ['aus', '澳洲'], ['new zealand', '新西兰'], ['nz', '新西兰'], ['south africa', '南非'], ['egypt', '埃及'], ['nigeria', '尼日利亚'],
  ['kenya', '肯尼亚'], ['morocco', '摩洛哥'], ['new york', '美国·纽约'], ['nyc', '美国·纽约'], ['los angeles', '美国·洛杉矶'],
  ['san francisco', '美国·旧金山'], ['california', '美国·加州'], ['london', '英国·伦敦'], ['paris', '法国·巴黎'], ['berlin', '德国·柏林'],
  ['tokyo', '日本·东京'], ['sydney', '澳洲·悉尼'], ['melbourne', '澳洲·墨尔本'], ['toronto', '加拿大·多伦多'], ['vancouver', '加拿大·温哥华'],
  // Pinyin initials that shoppers type for shop words (common chat shorthand).
  ['yhq', '优惠券'], ['hdfk', '货到付款'], ['tk', '退款'], ['fh', '发货'], ['fp', '发票'], ['kd', '快递'], ['wl', '物流'], ['by', '包邮'],
  ['bs', '包税'], ['th', '退货'], ['thh', '退换货'], ['zp', '正品'], ['xh', '现货'], ['ys', '预售'], ['kf', '客服'], ['jf', '积分'], ['yf', '运费'],
  ['qx', '取消'], ['zk', '折扣'], ['mj', '满减活动'], ['dj', '定金'], ['wk', '尾款'], ['zrg', '人工客服'], ['rg', '人工'], ['sm', '什么'], ['zm', '怎么'],
];

const ASCII_WORD = /^[a-z0-9 .-]+$/;

/** A form's first character, as a key: forms are looked up by the character a position starts with. */
const firstChar = (s: string, at = 0) => String.fromCodePoint(s.codePointAt(at)!);
const isAsciiWordChar = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);

/**
 * The shop's own forms map to themselves, so that they are matched whole before a shorter customer
 * form inside them is (优惠券 stays 优惠券 rather than 优惠 + 券 → 优惠优惠券): the rewrite is idempotent.
 */
const ALL_PAIRS: readonly (readonly [string, string])[] = [...REWRITES, ...REWRITES.map(([, to]) => [to, to] as const)];
const TARGET = new Map(ALL_PAIRS.map(([from, to]) => [from, to]));

/**
 * Forms by first character, longest first. English and pinyin forms match whole ASCII words only
 * (tk in tk几天 yes, in dhl-tkx no); Han forms match anywhere. A scan with this table finds what one
 * regular expression of all ~1,900 forms would (the longest form at each position, left to right),
 * without trying every form at every position: that alternation was the costliest step of a search.
 */
const FORMS_BY_FIRST = new Map<string, { form: string; ascii: boolean }[]>();
for (const [from] of [...ALL_PAIRS].sort((a, b) => b[0].length - a[0].length)) {
  const key = firstChar(from);
  const list = FORMS_BY_FIRST.get(key) ?? [];
  if (!list.some((f) => f.form === from)) list.push({ form: from, ascii: ASCII_WORD.test(from) });
  FORMS_BY_FIRST.set(key, list);
}

function formAt(text: string, at: number): string | null {
  for (const { form, ascii } of FORMS_BY_FIRST.get(firstChar(text, at)) ?? []) {
    if (!text.startsWith(form, at)) continue;
    if (ascii && (isAsciiWordChar(text[at - 1]) || isAsciiWordChar(text[at + form.length]))) continue;
    return form;
  }
  return null;
}

/** The text with every customer form replaced by the shop's form; expects lower-cased simplified text. */
export function applyShopLexicon(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = 0; at < text.length; ) {
    const form = formAt(text, at);
    if (form === null) {
      at += text.codePointAt(at)! > 0xffff ? 2 : 1;
      continue;
    }
    out += `${text.slice(copied, at)} ${TARGET.get(form) ?? form} `;
    at += form.length;
    copied = at;
  }
  return out + text.slice(copied);
}

/** The shop words of the lexicon (rewrite targets), for the segmenter's dictionary. */
export function shopWords(): string[] {
  // Only all-Han forms: jieba cuts Han runs, so a form with a letter or a middle dot (xs码, 美国·纽约) never matches.
  return [...new Set(REWRITES.map(([, to]) => to))].filter((w) => /^\p{Script=Han}{2,}$/u.test(w));
}
