// The 53 language profiles of Shuyo's language-detection (Apache-2.0), the same n-gram profiles
// Python's langdetect ships (it has 55: Catalan and Welsh are missing here), taken from the npm
// `langdetect` package at build time and bundled, so the library needs no runtime dependency for them.
import p_af from "langdetect/profiles/af.json" with { type: "json" };
import p_ar from "langdetect/profiles/ar.json" with { type: "json" };
import p_bg from "langdetect/profiles/bg.json" with { type: "json" };
import p_bn from "langdetect/profiles/bn.json" with { type: "json" };
import p_cs from "langdetect/profiles/cs.json" with { type: "json" };
import p_da from "langdetect/profiles/da.json" with { type: "json" };
import p_de from "langdetect/profiles/de.json" with { type: "json" };
import p_el from "langdetect/profiles/el.json" with { type: "json" };
import p_en from "langdetect/profiles/en.json" with { type: "json" };
import p_es from "langdetect/profiles/es.json" with { type: "json" };
import p_et from "langdetect/profiles/et.json" with { type: "json" };
import p_fa from "langdetect/profiles/fa.json" with { type: "json" };
import p_fi from "langdetect/profiles/fi.json" with { type: "json" };
import p_fr from "langdetect/profiles/fr.json" with { type: "json" };
import p_gu from "langdetect/profiles/gu.json" with { type: "json" };
import p_he from "langdetect/profiles/he.json" with { type: "json" };
import p_hi from "langdetect/profiles/hi.json" with { type: "json" };
import p_hr from "langdetect/profiles/hr.json" with { type: "json" };
import p_hu from "langdetect/profiles/hu.json" with { type: "json" };
import p_id from "langdetect/profiles/id.json" with { type: "json" };
import p_it from "langdetect/profiles/it.json" with { type: "json" };
import p_ja from "langdetect/profiles/ja.json" with { type: "json" };
import p_kn from "langdetect/profiles/kn.json" with { type: "json" };
import p_ko from "langdetect/profiles/ko.json" with { type: "json" };
import p_lt from "langdetect/profiles/lt.json" with { type: "json" };
import p_lv from "langdetect/profiles/lv.json" with { type: "json" };
import p_mk from "langdetect/profiles/mk.json" with { type: "json" };
import p_ml from "langdetect/profiles/ml.json" with { type: "json" };
import p_mr from "langdetect/profiles/mr.json" with { type: "json" };
import p_ne from "langdetect/profiles/ne.json" with { type: "json" };
import p_nl from "langdetect/profiles/nl.json" with { type: "json" };
import p_no from "langdetect/profiles/no.json" with { type: "json" };
import p_pa from "langdetect/profiles/pa.json" with { type: "json" };
import p_pl from "langdetect/profiles/pl.json" with { type: "json" };
import p_pt from "langdetect/profiles/pt.json" with { type: "json" };
import p_ro from "langdetect/profiles/ro.json" with { type: "json" };
import p_ru from "langdetect/profiles/ru.json" with { type: "json" };
import p_sk from "langdetect/profiles/sk.json" with { type: "json" };
import p_sl from "langdetect/profiles/sl.json" with { type: "json" };
import p_so from "langdetect/profiles/so.json" with { type: "json" };
import p_sq from "langdetect/profiles/sq.json" with { type: "json" };
import p_sv from "langdetect/profiles/sv.json" with { type: "json" };
import p_sw from "langdetect/profiles/sw.json" with { type: "json" };
import p_ta from "langdetect/profiles/ta.json" with { type: "json" };
import p_te from "langdetect/profiles/te.json" with { type: "json" };
import p_th from "langdetect/profiles/th.json" with { type: "json" };
import p_tl from "langdetect/profiles/tl.json" with { type: "json" };
import p_tr from "langdetect/profiles/tr.json" with { type: "json" };
import p_uk from "langdetect/profiles/uk.json" with { type: "json" };
import p_ur from "langdetect/profiles/ur.json" with { type: "json" };
import p_vi from "langdetect/profiles/vi.json" with { type: "json" };
import p_zh_cn from "langdetect/profiles/zh-cn.json" with { type: "json" };
import p_zh_tw from "langdetect/profiles/zh-tw.json" with { type: "json" };

/** One language profile: n-gram (1..3 chars) counts and the total n-gram count per length. */
export interface LanguageProfile {
  readonly name: string;
  readonly freq: Readonly<Record<string, number>>;
  readonly n_words: readonly number[];
}

/** Every profile, in language-code order. */
export const languageProfiles: readonly LanguageProfile[] = [
  p_af,
  p_ar,
  p_bg,
  p_bn,
  p_cs,
  p_da,
  p_de,
  p_el,
  p_en,
  p_es,
  p_et,
  p_fa,
  p_fi,
  p_fr,
  p_gu,
  p_he,
  p_hi,
  p_hr,
  p_hu,
  p_id,
  p_it,
  p_ja,
  p_kn,
  p_ko,
  p_lt,
  p_lv,
  p_mk,
  p_ml,
  p_mr,
  p_ne,
  p_nl,
  p_no,
  p_pa,
  p_pl,
  p_pt,
  p_ro,
  p_ru,
  p_sk,
  p_sl,
  p_so,
  p_sq,
  p_sv,
  p_sw,
  p_ta,
  p_te,
  p_th,
  p_tl,
  p_tr,
  p_uk,
  p_ur,
  p_vi,
  p_zh_cn,
  p_zh_tw,
];
