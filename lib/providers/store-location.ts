/** How people read where an S3 store is: `s3://bucket/prefix/ at endpoint`. Pure: a store and the configuration alike name it so. */
export function s3Location({ bucket, prefix, endpoint }: { bucket: string; prefix: string; endpoint?: string | undefined }): string {
  return `s3://${bucket}/${prefix}${endpoint ? ` at ${endpoint}` : ""}`;
}
