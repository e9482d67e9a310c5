/** One requirement of a Kubernetes label selector. */
interface Requirement {
  key: string;
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(Boolean);
}

/** Parses `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`; undefined if malformed. */
export function parseLabelSelector(
  selector: string,
): Requirement[] | undefined {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    let match = /^([A-Za-z0-9._/-]+)\s*(!=|==|=)\s*([A-Za-z0-9._-]*)$/.exec(
      part,
    );
    if (match) {
      requirements.push({
        key: match[1],
        operator: match[2] === '!=' ? '!=' : '=',
        values: [match[3]],
      });
      continue;
    }
    match = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (match) {
      requirements.push({
        key: match[1],
        operator: match[2] as 'in' | 'notin',
        values: match[3]
          .split(',')
          .map(v => v.trim())
          .filter(Boolean),
      });
      continue;
    }
    match = /^(!?)([A-Za-z0-9._/-]+)$/.exec(part);
    if (match) {
      requirements.push({
        key: match[2],
        operator: match[1] ? '!exists' : 'exists',
        values: [],
      });
      continue;
    }
    return undefined;
  }
  return requirements;
}

export function matchesLabelSelector(
  requirements: Requirement[],
  labels: Record<string, string>,
): boolean {
  for (const requirement of requirements) {
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case '=':
        if (value !== requirement.values[0]) return false;
        break;
      case '!=':
        if (value === requirement.values[0]) return false;
        break;
      case 'in':
        if (value === undefined || !requirement.values.includes(value))
          return false;
        break;
      case 'notin':
        if (value !== undefined && requirement.values.includes(value))
          return false;
        break;
      case 'exists':
        if (value === undefined) return false;
        break;
      case '!exists':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
