/** Prefixes on which the signed-in admin has a right, the admin's own prefix first. */
export function prefixesWith(session, right) {
  const own = session.user?.split(':')[1]?.split('/')[0];
  const list = session.prefixes.filter((p) => p[right]).map((p) => p.prefix);
  return list.sort((a, b) => (a === own ? -1 : b === own ? 1 : a < b ? -1 : 1));
}
