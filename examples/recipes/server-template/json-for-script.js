// JSON to write inside an inline <script>. JSON.stringify alone is not enough: a product
// named `</script><script>alert(1)</script>` would end the script and run its own. Writing
// `<`, `>` and `&` as \u escapes keeps the text intact for the SDK and inert for the HTML
// parser; U+2028 and U+2029 are escaped for older JavaScript engines.
export function jsonForScript(value) {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('jsonForScript: nothing to serialize');
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
