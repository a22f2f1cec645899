// Chinese names for the identifiers the engine uses (shared/GLOSSARY.md, API.md data dictionary).
// Unknown identifiers are shown as they are: a new process may bring names this file lacks.

export const STAGES = {
  intake: '受理',
  investigation: '调查取证',
  legal_review: '法制审核',
  notice: '事先告知',
  hearing: '听证',
  decision: '作出决定',
  service: '送达',
  compliance_period: '履行期限',
  remedy_period: '复议诉讼期限',
  demand: '催告',
  enforcement_decision: '强制执行决定',
  public_notice: '强制拆除公告',
  forced_demolition: '强制拆除',
  confiscation: '没收',
  deferred: '暂缓拆除',
  litigation: '复议诉讼',
  closed: '结案',
  reinspection: '回头看',
};

export const STATUSES = { open: '办理中', suspended: '中止', closed: '已结案' };

export const ROLES = {
  officer: '执法人员',
  legal_review: '法制审核',
  head: '负责人',
  government: '政府',
  utility: '供水供电供气单位',
  court: '法院',
  auditor: '审计员',
  designer: '流程设计员',
  admin: '管理员',
  system: '系统',
};

// The party's actions, recorded by an officer as BPMN messages.
export const MESSAGES = {
  party_demolished: '当事人已自行拆除',
  party_corrected: '当事人已改正',
  party_requests_assistance: '申请帮助拆除',
  agreement_breached: '当事人违反执行协议',
  review_filed: '申请复议',
  lawsuit_filed: '提起诉讼',
  remedy_result: '复议/诉讼结果',
  fine_paid: '已缴纳罚款',
  rebuilt_found: '发现复建',
};

export const ACTIONS = {
  case_opened: '立案受理',
  task_completed: '完成任务',
  message_received: '当事人行为',
  timer_fired: '期限届满',
  guard_refused: '依法拒绝',
  case_closed: '结案',
  linked_case_opened: '复建另案',
  campaign_created: '设立专项行动',
  campaign_changed: '修改专项行动',
  deadline_recomputed: '期限重新计算',
  attachment_added: '上传证据材料',
  attachment_withdrawn: '撤回证据材料',
  document_withdrawn: '撤回文书',
  // The system trail (GET /audit/system).
  calendar_loaded: '载入节假日安排',
  user_added: '添加用户',
  process_deployed: '部署流程',
  clock_set: '设置时钟',
  settings_applied: '应用地方法定参数',
};

// Who a deadline binds (Timer.holder).
export const HOLDERS = { party: '当事人', agency: '执法机关', court: '法院' };
export const holderName = (x) => (x ? label(HOLDERS, x) : '');

export const CALENDAR_STATUSES = { official: '正式', provisional: '暂定' };
export const PROVISIONAL_HINT = '该年度国务院放假安排尚未载入，期限按法定节日暂定计算';

export const ENUMS = {
  classification: {
    correctable: '尚可改正',
    not_correctable: '无法改正（限期拆除）',
    cannot_demolish: '不能拆除（没收）',
    no_violation: '不构成违法建设',
    crime: '涉嫌犯罪（移送司法）',
  },
  source: {
    hotline: '12345热线举报',
    patrol: '巡查发现',
    satellite: '卫星/无人机监测',
    referral: '移送',
    self_report: '自查上报',
    reinspection: '回头看发现复建',
  },
  use_type: {
    residential: '居住',
    business: '经营',
    production: '生产',
    public: '公共设施',
    construction_site: '在建工地',
  },
  service_method: {
    direct: '直接送达',
    left: '留置送达',
    electronic: '电子送达',
    post: '邮寄送达',
    public_notice: '公告送达',
  },
  cutoff_basis: {
    construction_site_supply: '拒绝为无证施工供应（北京第65条/浙江第22条）',
    safety_law_70: '安全生产法第70条',
    local_regulation: '地方性法规',
  },
  legal_basis: {
    URPL64: '城乡规划法第64条（城市、镇）',
    URPL65: '城乡规划法第65条（乡、村庄）',
    LAL77: '土地管理法第77条（非法占地）',
    LAL78: '土地管理法第78条（农村村民非法占地建住宅）',
  },
  outcome: {
    upheld: '维持',
    revoked: '撤销',
    changed: '变更',
    self_demolished: '当事人自行拆除',
    assisted_demolished: '帮助拆除',
    forced_demolished: '强制拆除',
    demolished: '已拆除',
  },
  check_result: { file: '立案', no_case: '不予立案', extend: '申请延长核查期限' },
  order_kind: { stop: '责令停止建设', correct: '责令限期改正', both: '责令停止建设并限期改正' },
  signed_by: { party: '当事人本人', family_member: '同住成年家属', agent: '代理人', unit_receiver: '单位收件人' },
  refusal_recorded_by: { witness: '见证人在场', photo_video: '拍照录像' },
  reply_kind: { review_reply: '行政复议答复', lawsuit_defence: '行政诉讼答辩' },
  court_ruling: { enforce: '准予执行', refused: '不予执行' },
  disposal: { return: '退还', confiscate: '没收', keep_as_evidence: '留作证据', transfer: '移送' },
  costs_borne_by: { party: '当事人承担', agency: '执法机关承担', shared: '共同承担' },
  enforcement_decision_issuer: { agency: '执法机关', government: '区县人民政府' },
  escalation_action: { expedite: '督办加快', extension_approved: '批准延期' },
  utility_types: { water: '供水', power: '供电', gas: '供气', heat: '供热' },
  lane: ROLES,
  stage: STAGES,
  status: STATUSES,
};

export const FIELDS = {
  address: '地址',
  district: '区县/街道',
  source: '线索来源',
  description: '情况描述',
  area_m2: '面积（平方米）',
  use_type: '用途',
  construction_ongoing: '仍在施工',
  party_known: '当事人明确',
  party_name: '当事人',
  party_id_no: '证件号码',
  party_phone: '联系电话',
  location: '位置',
  legal_basis: '适用法条',
  classification: '定性',
  review_passed: '审核通过',
  hearing_requested: '申请听证',
  intended_fine_amount: '拟罚款（元）',
  fine_amount: '罚款（元）',
  construction_cost: '工程造价（元）',
  compliance_days: '限期（日）',
  service_method: '送达方式',
  served_at: '送达日期',
  emergency: '紧急情况',
  emergency_reason: '紧急理由',
  utility_cutoff: '停止供水供电供气',
  cutoff_basis: '停供依据',
  safety_appraisal_done: '已完成安全鉴定',
  defer: '暂缓拆除',
  defer_reason: '暂缓理由',
  outcome: '处理结果',
  demolished_area: '拆除面积（平方米）',
  demolished_area_m2: '拆除面积（平方米）',
  notes: '备注',
  reporter: '举报人',
  photos: '照片',
  received_on: '受理日期',
  reported_at: '报告时间',
  check_result: '核查结论',
  check_summary: '核查情况',
  note: '说明',
  lat: '纬度',
  lon: '经度',
};

const LAWS = {
  URPL: '城乡规划法',
  APL: '行政处罚法',
  ACL: '行政强制法',
  ARL: '行政复议法',
  ALL: '行政诉讼法',
  CPL: '民事诉讼法',
  LAL: '土地管理法',
  WSL: '安全生产法',
  SPL: '安全生产法',
};

export const label = (dict, key) => (key in dict ? dict[key] : key);
export const stageName = (s) => (s ? label(STAGES, s) : '—');
export const statusName = (s) => label(STATUSES, s);
export const roleName = (r) => label(ROLES, r);
export const messageName = (m) => label(MESSAGES, m);
export const actionName = (a) => label(ACTIONS, a);
// Field titles from the deployed forms (GET /forms/labels), loaded once per page load.
const formLabels = {};
let formLabelsLoaded = null;
export function loadFormLabels(api) {
  if (!formLabelsLoaded) {
    formLabelsLoaded = api.get('/forms/labels')
      .then((labels) => { Object.assign(formLabels, labels); })
      .catch(() => { formLabelsLoaded = null; });
  }
  return formLabelsLoaded;
}
export const hasFieldName = (f) => f in formLabels || f in FIELDS;
export const fieldName = (f) => formLabels[f] || label(FIELDS, f);

export function enumName(field, value) {
  const dict = ENUMS[field];
  if (dict && value in dict) return dict[value];
  return value === true ? '是' : value === false ? '否' : String(value);
}

/** "ACL Art. 43(1)" → "《行政强制法》第43条第1款"; unknown text is returned as it is. */
export function lawName(basis) {
  if (!basis) return '';
  return String(basis).replace(
    /\b([A-Z]{2,5})\s*Art\.\s*(\d+)(?:\((\d+)\))?/g,
    (whole, law, art, para) => (LAWS[law]
      ? `《${LAWS[law]}》第${art}条${para ? `第${para}款` : ''}`
      : whole),
  );
}

/** "60 CD" → "60日（自然日）", "10 WD" → "10个工作日", "6 M" → "6个月". */
export function periodName(period) {
  if (!period) return '';
  const m = /^\s*(\d+)\s*([A-Z]+)\s*$/.exec(period);
  if (!m) return period;
  const [, n, unit] = m;
  return {
    CD: `${n}日（自然日）`,
    LD: `${n}日（届满不顺延）`,
    WD: `${n}个工作日`,
    M: `${n}个月`,
    Y: `${n}年`,
    H: `${n}小时`,
  }[unit] || period;
}

/** Values for display: enums in Chinese, booleans as 是/否, objects as JSON. */
export function showValue(field, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (Array.isArray(value)) return value.map((v) => showValue(field, v)).join('、');
  if (typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => `${fieldName(k)}: ${showValue(k, v)}`).join('；');
  }
  if (ENUMS[field] && value in ENUMS[field]) return ENUMS[field][value];
  return String(value);
}
