"""Prepares the access-denied case on a moto server that enforces IAM (started with
INITIAL_NO_AUTH_ACTION_COUNT=5: exactly the five setup calls below run unauthenticated).

A bucket holding a CUR manifest, and an IAM user allowed to list the bucket but not to read
its objects. Prints the user's (fake, server-local) access key id and secret on one line.
"""
import json
import sys

import boto3

endpoint = sys.argv[1]
kw = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="setup",
    aws_secret_access_key="setup",
)
s3 = boto3.client("s3", **kw)
iam = boto3.client("iam", **kw)
s3.create_bucket(Bucket="curtop-denied")
s3.put_object(
    Bucket="curtop-denied",
    Key="cur/report/20240401-20240501/report-Manifest.json",
    Body=b"{}",
)
iam.create_user(UserName="curtop-reader")
iam.put_user_policy(
    UserName="curtop-reader",
    PolicyName="list-only",
    PolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::curtop-denied",
                }
            ],
        }
    ),
)
key = iam.create_access_key(UserName="curtop-reader")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
