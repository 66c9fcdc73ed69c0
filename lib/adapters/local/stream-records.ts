import type { AttributeValue as SdkAttributeValue, _Record } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * A stream record as GetRecords returns it through the SDK, turned into the record Lambda hands
 * a function: binary values in base64, ApproximateCreationDateTime in epoch seconds, the stream's
 * ARN as eventSourceARN. DynamoDB Local reports a TTL deletion as an event name the SDK does not
 * know; Lambda delivers it as a REMOVE by the DynamoDB service.
 */
function attributeOf(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: imageOf(value.M)! };
  if (value.L !== undefined) return { L: value.L.map(attributeOf) };
  return value as AttributeValue;
}

function imageOf(image: Record<string, SdkAttributeValue> | undefined): Record<string, AttributeValue> | undefined {
  return image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attributeOf(value)]));
}

export function lambdaRecordOf(record: _Record, streamArn: string): DynamoDBRecord {
  const known = record.eventName === 'INSERT' || record.eventName === 'MODIFY' || record.eventName === 'REMOVE';
  const ttlDeletion = !known && record.dynamodb?.NewImage === undefined;
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: known ? (record.eventName as DynamoDBRecord['eventName']) : ttlDeletion ? 'REMOVE' : undefined,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    ...(ttlDeletion ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: imageOf(record.dynamodb?.Keys),
      NewImage: imageOf(record.dynamodb?.NewImage),
      OldImage: imageOf(record.dynamodb?.OldImage),
      SequenceNumber: record.dynamodb?.SequenceNumber,
      SizeBytes: record.dynamodb?.SizeBytes,
      StreamViewType: record.dynamodb?.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}
