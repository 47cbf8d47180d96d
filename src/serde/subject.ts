/**
 * Subject name strategies (Confluent's): TopicNameStrategy `<topic>-key` /
 * `<topic>-value`; RecordNameStrategy the record's full name;
 * TopicRecordNameStrategy `<topic>-<record full name>`.
 */
import { SerdeError } from './errors.ts';
import type { SubjectNameStrategy } from './types.ts';

export function subjectName(
  strategy: SubjectNameStrategy | undefined,
  topic: string,
  isKey: boolean,
  recordName: string,
): string {
  switch (strategy ?? 'TopicNameStrategy') {
    case 'TopicNameStrategy':
      return `${topic}${isKey ? '-key' : '-value'}`;
    case 'RecordNameStrategy':
    case 'TopicRecordNameStrategy': {
      const name = recordName;
      if (!name) {
        throw new SerdeError('SUBJECT_MISMATCH', `${strategy} needs a named record type; the schema has none`);
      }
      return strategy === 'RecordNameStrategy' ? name : `${topic}-${name}`;
    }
    default:
      throw new SerdeError('SUBJECT_MISMATCH', `Unknown subject name strategy ${String(strategy)}`);
  }
}
