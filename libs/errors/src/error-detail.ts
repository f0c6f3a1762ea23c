import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/**
 * A detail an error carries beyond the ZITADEL ErrorDetail, in both of its wire
 * forms: proto3 JSON for the REST body, protobuf binary for gRPC/Connect.
 */
export interface ExtraErrorDetail {
  /** Fully qualified protobuf type name, e.g. `google.rpc.ErrorInfo`. */
  readonly typeName: string;
  /** The message as proto3 JSON (without `@type`). */
  readonly json: Readonly<Record<string, unknown>>;
  /** The message in protobuf binary encoding. */
  readonly binary: Uint8Array;
}

/** A `google.rpc.ErrorInfo {reason, domain, metadata}`: a machine-readable reason clients can branch on. */
export function errorInfo(reason: string, domain: string, metadata: Readonly<Record<string, string>> = {}): ExtraErrorDetail {
  // Encoded by hand: no generated google.rpc descriptors are bundled. Fields: 1 reason, 2 domain, 3 map<string, string> metadata.
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).string(reason);
  writer.tag(2, WireType.LengthDelimited).string(domain);
  for (const [key, value] of Object.entries(metadata)) {
    writer.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).string(value).join();
  }
  return { typeName: 'google.rpc.ErrorInfo', json: { reason, domain, metadata: { ...metadata } }, binary: writer.finish() };
}
