# Flattens a JSON document into one line per scalar: <path><TAB><value>. Object keys and array indexes are
# joined with '.', e.g. `public_keys.mykey<TAB>ssh-ed25519 AAAA...` or `keys.0.data<TAB>...`. Strings are unescaped;
# newlines, tabs and carriage returns inside them become spaces and surrounding blanks are trimmed, so every value
# fits on its line. null prints as an empty value. Enough for OpenStack's meta_data.json; not a validator.
BEGIN { RS = "\001" }
{ doc = doc $0 }
END {
  s = doc; n = length(s); i = 1
  value("")
}
function ws() { while (i <= n && index(" \t\r\n", substr(s, i, 1)) > 0) i++ }
function emit(path, v) {
  gsub(/[\t\r\n]/, " ", v); sub(/^ +/, "", v); sub(/ +$/, "", v)
  printf "%s\t%s\n", path, v
}
function hexval(h,   k, d, v) {
  v = 0
  for (k = 1; k <= length(h); k++) { d = index("0123456789abcdef", tolower(substr(h, k, 1))) - 1; if (d < 0) return 63; v = v * 16 + d }
  return v
}
function str(   out, c, j, cp) {
  i++; out = ""
  while (i <= n) {
    # copy the run of plain characters in one piece
    j = i
    while (j <= n) { c = substr(s, j, 1); if (c == "\"" || c == "\\") break; j++ }
    out = out substr(s, i, j - i); i = j
    if (i > n) break
    if (c == "\"") { i++; return out }
    c = substr(s, i + 1, 1); i += 2
    if (c == "n") out = out "\n"; else if (c == "t") out = out "\t"; else if (c == "r") out = out "\r"
    else if (c == "b" || c == "f") out = out " "
    else if (c == "u") { cp = hexval(substr(s, i, 4)); i += 4; out = out (cp >= 32 && cp < 127 ? sprintf("%c", cp) : "?") }
    else out = out c
  }
  return out
}
function value(path,   c, k, idx, rest) {
  ws(); c = substr(s, i, 1)
  if (c == "{") {
    i++; ws()
    if (substr(s, i, 1) == "}") { i++; return }
    while (i <= n) {
      ws(); k = str(); ws(); i++
      value(path == "" ? k : path "." k)
      ws(); c = substr(s, i, 1); i++
      if (c != ",") return
    }
  } else if (c == "[") {
    i++; ws(); idx = 0
    if (substr(s, i, 1) == "]") { i++; return }
    while (i <= n) {
      value(path == "" ? idx : path "." idx); idx++
      ws(); c = substr(s, i, 1); i++
      if (c != ",") return
    }
  } else if (c == "\"") {
    emit(path, str())
  } else {
    rest = substr(s, i)
    if (match(rest, /^[^],} \t\r\n]+/)) { i += RLENGTH; c = substr(rest, 1, RLENGTH); emit(path, c == "null" ? "" : c) }
    else i = n + 1
  }
}
