// A small backtracking regular expression matcher for JSON Schema's `pattern` (ECMA-262 subset): literals,
// ., [classes] with ranges and negation, \d \w \s (and \D \W \S outside classes), ^ $, groups (...) and
// (?:...), |, and the quantifiers * + ? {n} {n,} {n,m} (lazy forms accepted). It answers only "is there a
// match", so greedy and lazy are the same. Runs in WASM, so a pathological pattern is stopped by fuel.

const CHAR = 0;
const ANY = 1;
const CLASS = 2;
const START = 3;
const END = 4;
const GROUP = 5;
const REPEAT = 6;

class Node {
  kind: i32 = CHAR;
  code: i32 = 0;
  ranges: i32[] = [];
  negated: bool = false;
  alts: Node[][] = [];
  child: Node[] = [];
  min: i32 = 0;
  max: i32 = -1;
}

export let regexError: string = "";

class Parser {
  pos: i32 = 0;
  constructor(public src: string) {}

  more(): bool {
    return this.pos < this.src.length;
  }
  peek(): i32 {
    return this.src.charCodeAt(this.pos);
  }
}

function escapeClass(c: i32, ranges: i32[]): bool {
  if (c == 100) { ranges.push(48); ranges.push(57); return true; } // \d
  if (c == 119) { ranges.push(48); ranges.push(57); ranges.push(65); ranges.push(90); ranges.push(97); ranges.push(122); ranges.push(95); ranges.push(95); return true; } // \w
  if (c == 115) { ranges.push(32); ranges.push(32); ranges.push(9); ranges.push(13); ranges.push(160); ranges.push(160); ranges.push(0xfeff); ranges.push(0xfeff); ranges.push(0x2028); ranges.push(0x2029); return true; } // \s
  return false;
}

function escapeChar(c: i32): i32 {
  if (c == 110) return 10;
  if (c == 116) return 9;
  if (c == 114) return 13;
  if (c == 102) return 12;
  if (c == 118) return 11;
  if (c == 48) return 0;
  return c;
}

function isWordLetter(c: i32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function parseClass(p: Parser): Node | null {
  const node = new Node();
  node.kind = CLASS;
  if (p.more() && p.peek() == 94) { node.negated = true; p.pos++; }
  let first = true;
  while (p.more() && (p.peek() != 93 || first)) {
    first = false;
    let lo = p.peek();
    p.pos++;
    if (lo == 92) {
      if (!p.more()) { regexError = "a class ends with \\"; return null; }
      const e = p.peek();
      p.pos++;
      if (escapeClass(e, node.ranges)) continue;
      if (e == 68 || e == 87 || e == 83) { regexError = "\\D, \\W and \\S inside [...] are not supported"; return null; }
      if (isWordLetter(e) && e != 110 && e != 116 && e != 114 && e != 102 && e != 118 && e != 48) { regexError = "\\" + String.fromCharCode(e) + " is not supported"; return null; }
      lo = escapeChar(e);
    }
    let hi = lo;
    if (p.pos + 1 < p.src.length && p.peek() == 45 && p.src.charCodeAt(p.pos + 1) != 93) {
      p.pos++;
      hi = p.peek();
      p.pos++;
      if (hi == 92) {
        if (!p.more()) { regexError = "a class ends with \\"; return null; }
        hi = escapeChar(p.peek());
        p.pos++;
      }
      if (hi < lo) { regexError = "a class range goes backwards"; return null; }
    }
    node.ranges.push(lo);
    node.ranges.push(hi);
  }
  if (!p.more()) { regexError = "[ is not closed"; return null; }
  p.pos++;
  return node;
}

function readInt(p: Parser): i32 {
  let n = -1;
  while (p.more() && p.peek() >= 48 && p.peek() <= 57) {
    n = (n < 0 ? 0 : n * 10) + (p.peek() - 48);
    if (n > 10000) n = 10000;
    p.pos++;
  }
  return n;
}

function parseAtom(p: Parser): Node | null {
  const c = p.peek();
  p.pos++;
  const node = new Node();
  if (c == 40) {
    if (p.pos + 1 < p.src.length && p.peek() == 63) {
      if (p.src.charCodeAt(p.pos + 1) != 58) { regexError = "lookarounds and named groups are not supported"; return null; }
      p.pos += 2;
    }
    const alts = parseAlts(p);
    if (alts == null) return null;
    if (!p.more() || p.peek() != 41) { regexError = "( is not closed"; return null; }
    p.pos++;
    node.kind = GROUP;
    node.alts = alts;
    return node;
  }
  if (c == 91) return parseClass(p);
  if (c == 46) { node.kind = ANY; return node; }
  if (c == 94) { node.kind = START; return node; }
  if (c == 36) { node.kind = END; return node; }
  if (c == 41) { regexError = ") has no ("; return null; }
  if (c == 42 || c == 43 || c == 63) { regexError = "a quantifier follows nothing"; return null; }
  if (c == 92) {
    if (!p.more()) { regexError = "the pattern ends with \\"; return null; }
    const e = p.peek();
    p.pos++;
    node.kind = CLASS;
    if (escapeClass(e, node.ranges)) return node;
    if (e == 68 || e == 87 || e == 83) {
      escapeClass(e + 32, node.ranges);
      node.negated = true;
      return node;
    }
    if (isWordLetter(e) && e != 110 && e != 116 && e != 114 && e != 102 && e != 118 && e != 48) {
      regexError = "\\" + String.fromCharCode(e) + " is not supported";
      return null;
    }
    node.kind = CHAR;
    node.code = escapeChar(e);
    return node;
  }
  node.kind = CHAR;
  node.code = c;
  return node;
}

function parseSeq(p: Parser): Node[] | null {
  const seq = new Array<Node>();
  while (p.more() && p.peek() != 124 && p.peek() != 41) {
    const atom = parseAtom(p);
    if (atom == null) return null;
    let min = -2;
    let max = -1;
    if (p.more()) {
      const q = p.peek();
      if (q == 42) { min = 0; p.pos++; }
      else if (q == 43) { min = 1; p.pos++; }
      else if (q == 63) { min = 0; max = 1; p.pos++; }
      else if (q == 123) {
        const save = p.pos;
        p.pos++;
        const lo = readInt(p);
        let hi = lo;
        if (lo >= 0 && p.more() && p.peek() == 44) {
          p.pos++;
          hi = readInt(p);
        }
        if (lo >= 0 && p.more() && p.peek() == 125) {
          p.pos++;
          min = lo;
          max = hi;
          if (max >= 0 && max < min) { regexError = "{n,m} with m < n"; return null; }
        } else {
          p.pos = save;
        }
      }
    }
    if (min == -2) {
      seq.push(atom);
      continue;
    }
    if (atom.kind == START || atom.kind == END) { regexError = "a quantifier follows ^ or $"; return null; }
    if (p.more() && p.peek() == 63) p.pos++;
    const rep = new Node();
    rep.kind = REPEAT;
    rep.child = [atom];
    rep.min = min;
    rep.max = max;
    seq.push(rep);
  }
  return seq;
}

function parseAlts(p: Parser): Node[][] | null {
  const alts = new Array<Node[]>();
  while (true) {
    const seq = parseSeq(p);
    if (seq == null) return null;
    alts.push(seq);
    if (p.more() && p.peek() == 124) {
      p.pos++;
      continue;
    }
    return alts;
  }
}

/** Where matching goes on after a sequence ends: the rest of an outer sequence, or another repetition. */
class Cont {
  constructor(
    public seq: Node[],
    public idx: i32,
    public next: Cont | null,
    public rep: Node | null = null,
    public count: i32 = 0,
    public startPos: i32 = 0,
  ) {}
}

function classMatches(node: Node, c: i32): bool {
  let found = false;
  for (let i = 0; i < node.ranges.length; i += 2) {
    if (c >= node.ranges[i] && c <= node.ranges[i + 1]) {
      found = true;
      break;
    }
  }
  return found != node.negated;
}

function matchRepeat(rep: Node, count: i32, pos: i32, seq: Node[], idx: i32, next: Cont | null, lastPos: i32, s: string): bool {
  // One more repetition, unless the last one matched nothing (that would loop forever).
  if ((rep.max < 0 || count < rep.max) && !(count > rep.min && pos == lastPos)) {
    if (matchSeq(rep.child, 0, pos, new Cont(seq, idx, next, rep, count + 1, pos), s)) return true;
  }
  if (count >= rep.min) return matchSeq(seq, idx + 1, pos, next, s);
  return false;
}

function matchSeq(seq: Node[], idx: i32, pos: i32, cont: Cont | null, s: string): bool {
  while (idx < seq.length) {
    const node = seq[idx];
    const k = node.kind;
    if (k == CHAR) {
      if (pos >= s.length || s.charCodeAt(pos) != node.code) return false;
      pos++;
    } else if (k == ANY) {
      if (pos >= s.length) return false;
      const c = s.charCodeAt(pos);
      if (c == 10 || c == 13 || c == 0x2028 || c == 0x2029) return false;
      pos++;
    } else if (k == CLASS) {
      if (pos >= s.length || !classMatches(node, s.charCodeAt(pos))) return false;
      pos++;
    } else if (k == START) {
      if (pos != 0) return false;
    } else if (k == END) {
      if (pos != s.length) return false;
    } else if (k == GROUP) {
      const after = new Cont(seq, idx + 1, cont);
      for (let i = 0; i < node.alts.length; i++) {
        if (matchSeq(node.alts[i], 0, pos, after, s)) return true;
      }
      return false;
    } else {
      return matchRepeat(node, 0, pos, seq, idx, cont, -1, s);
    }
    idx++;
  }
  if (cont == null) return true;
  const rep = cont.rep;
  if (rep != null) return matchRepeat(rep, cont.count, pos, cont.seq, cont.idx, cont.next, cont.startPos, s);
  return matchSeq(cont.seq, cont.idx, pos, cont.next, s);
}

export class Regex {
  constructor(public alts: Node[][]) {}
  /** Whether the pattern matches anywhere in s (JSON Schema patterns are not anchored). */
  test(s: string): bool {
    const group = new Node();
    group.kind = GROUP;
    group.alts = this.alts;
    const top: Node[] = [group];
    for (let start = 0; start <= s.length; start++) {
      if (matchSeq(top, 0, start, null, s)) return true;
    }
    return false;
  }
}

/** Compiles a pattern; null (and regexError) when it uses something this matcher does not support. */
export function compileRegex(pattern: string): Regex | null {
  regexError = "";
  const p = new Parser(pattern);
  const alts = parseAlts(p);
  if (alts == null) return null;
  if (p.more()) {
    regexError = ") has no (";
    return null;
  }
  return new Regex(alts);
}
