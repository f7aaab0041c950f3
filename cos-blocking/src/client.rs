//! [`ClientBuilder`] and [`Client`]: the calls of the COS XML API as blocking methods.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use cos_proto::ops::acl::{AclOutput, GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl};
use cos_proto::ops::bucket::{
    BucketLocation, DeleteBucket, EmptyOutput, GetBucket, GetBucketLocation, GetService,
    HeadBucket, HeadBucketOutput, ListAllMyBucketsResult, ListBucketResult, PutBucket,
};
use cos_proto::ops::cors::{
    CorsConfiguration, DeleteBucketCors, GetBucketCors, OptionsObject, OptionsObjectOutput,
    PutBucketCors,
};
use cos_proto::ops::multipart::{
    CompleteMultipartUploadResult, CopyPartResult, InitiateMultipartUploadResult,
    ListMultipartUploadsResult, ListPartsResult, MultipartAbort, MultipartComplete, MultipartInit,
    MultipartList, MultipartListPart, MultipartUpload, UploadPartCopy, UploadPartOutput,
};
use cos_proto::ops::object::{
    CopyObjectResult, DeleteMultipleObject, DeleteObject, DeleteObjectOutput, DeleteResult,
    GetObject, GetObjectOutput, HeadObject, HeadObjectOutput, PutObject, PutObjectCopy,
    PutObjectOutput,
};
use cos_proto::{Credentials, GetAuthorization, GetObjectUrl, Operation, Signer};

use crate::auth::{Auth, Authorizer, CredentialProvider, CredentialScope, ProviderCache};
use crate::body::{Download, Upload};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::retry::Backoff;
use crate::transport::Transport;

/// The three ways to authenticate, as given to the builder.
enum AuthChoice {
    Static(cos_proto::Result<Credentials>),
    Provider(Arc<dyn CredentialProvider>),
    Authorizer(Arc<dyn Authorizer>),
}

/// Builds a [`Client`]: exactly one way to authenticate, and the [`Config`] options.
///
/// ```no_run
/// use cos_blocking::{Client, Config};
///
/// let client = Client::builder()
///     .secret("AKIDexample", "secret-key")
///     .config(Config::default().region("ap-guangzhou"))
///     .build()?;
/// # Ok::<(), cos_blocking::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    auth: Vec<AuthChoice>,
    token: Option<String>,
    config: Config,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("auth_modes", &self.auth.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Signs with a permanent key (the seed's `SecretId` and `SecretKey`, Format 3).
    pub fn secret(mut self, secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        let credentials = Credentials::new(secret_id, secret_key);
        self.auth.push(AuthChoice::Static(credentials));
        self
    }

    /// Signs with these credentials (a fixed key, optionally temporary with a token).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.auth.push(AuthChoice::Static(Ok(credentials)));
        self
    }

    /// Sends this security token with a fixed key given by [`ClientBuilder::secret`]
    /// (a temporary key used as a fixed one).
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Fetches temporary credentials from `provider` (Format 1, getSTS), cached and
    /// refreshed ahead of expiry.
    pub fn credential_provider(mut self, provider: impl CredentialProvider + 'static) -> Self {
        self.auth.push(AuthChoice::Provider(Arc::new(provider)));
        self
    }

    /// Has `authorizer` sign every request (Format 2, getAuthorization).
    pub fn authorizer(mut self, authorizer: impl Authorizer + 'static) -> Self {
        self.auth.push(AuthChoice::Authorizer(Arc::new(authorizer)));
        self
    }

    /// Sets the options. Default [`Config::default`].
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Checks the options and creates the client (and its connection pool).
    pub fn build(self) -> Result<Client> {
        let endpoint = self.config.endpoint()?;
        let mut modes = self.auth.into_iter();
        let (Some(choice), None) = (modes.next(), modes.next()) else {
            return Err(Error::invalid(
                "Credentials",
                "give exactly one of: SecretId + SecretKey, a credential provider, an authorizer",
            ));
        };
        let auth = match choice {
            AuthChoice::Static(c) => {
                let mut c = c?;
                if let Some(t) = self.token {
                    c = c.with_security_token(t)?;
                }
                Auth::Static(Arc::new(Signer::new(c)))
            }
            AuthChoice::Provider(p) => {
                Auth::Provider(ProviderCache::new(p, self.config.credential_refresh_margin))
            }
            AuthChoice::Authorizer(a) => Auth::Authorizer(a),
        };
        let inner = Inner {
            transport: Transport::new(&self.config),
            backoff: Backoff::new(&self.config.retry),
            clock_offset: AtomicI64::new(self.config.clock_offset_secs),
            tasks: crate::transfer::TaskRegistry::default(),
            endpoint,
            auth,
            config: self.config,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) endpoint: cos_proto::Endpoint,
    pub(crate) auth: Auth,
    pub(crate) transport: Transport,
    pub(crate) backoff: Backoff,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) tasks: crate::transfer::TaskRegistry,
}

/// A blocking COS client: every call of the XML API as a method.
///
/// `Send + Sync` and cheap to clone (clones share the connection pool, the cached
/// credentials and the clock offset); use one per application.
///
/// # Method families
/// - **construction**: [`Client::builder`], [`Client::from_env`];
/// - **getters**: [`Client::config`], [`Client::bucket`], [`Client::region`],
///   [`Client::clock_offset_secs`];
/// - **calls**, one per operation, each taking the cos-proto parameter struct and returning
///   its typed output: bucket ([`Client::get_service`], [`Client::put_bucket`],
///   [`Client::head_bucket`], [`Client::get_bucket`], [`Client::delete_bucket`],
///   [`Client::get_bucket_location`]), ACL, CORS, object ([`Client::put_object`],
///   [`Client::get_object`], [`Client::head_object`], [`Client::delete_object`],
///   [`Client::delete_multiple_object`], [`Client::put_object_copy`]) and multipart;
///   [`Client::execute`] runs any [`Operation`];
/// - **streaming calls**: [`Client::put_object_from`] and [`Client::multipart_upload_from`]
///   (from an [`Upload`]: bytes, a file, a stream), [`Client::get_object_into`] (into a
///   [`Download`]: a `Vec`, a writer, a file);
/// - **signing without a call**: [`Client::get_auth`], [`Client::get_object_url`].
///
/// # Call order
/// Build once, then call from any thread in any order. Each call: builds the request from
/// its parameters (a bad parameter fails here, nothing sent), signs it, sends it, and
/// retries as [`crate::retry`] describes; the output or the error comes back when the last
/// attempt ends.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("auth", &self.inner.auth)
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

/// The result of [`Client::get_object`]: the output and the object's data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetObjectData {
    /// What the headers said.
    pub output: GetObjectOutput,
    /// The data (empty on a 304).
    pub body: Vec<u8>,
}

/// Generates one call method per operation: a line over [`Client::execute`].
macro_rules! calls {
    ($($(#[$doc:meta])* $name:ident($op:ty) -> $out:ty;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, params: &$op) -> Result<$out> {
            self.execute(params)
        }
    )*};
}

impl Client {
    /// A builder: set exactly one way to authenticate, then [`ClientBuilder::build`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `COS_SECRET_ID`, `COS_SECRET_KEY` (both
    /// required), `COS_SECURITY_TOKEN`, `COS_REGION`, `COS_BUCKET` (defaults for
    /// [`Client::region`] and [`Client::bucket`]) and `COS_ENDPOINT` — `http[s]://host:port`
    /// to connect to, keeping the virtual-hosted `Host` (an emulator, a proxy).
    pub fn from_env() -> Result<Client> {
        crate::env::from_env(|name| std::env::var(name).ok())
    }

    /// The options the client was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The default bucket ([`Config::bucket`], `COS_BUCKET`), for building parameters.
    pub fn bucket(&self) -> Option<&str> {
        self.inner.config.bucket.as_deref()
    }

    /// The default region ([`Config::region`], `COS_REGION`), for building parameters.
    pub fn region(&self) -> Option<&str> {
        self.inner.config.region.as_deref()
    }

    /// The current estimate of server time minus local time, in seconds: the configured
    /// offset, corrected when COS reported clock skew.
    pub fn clock_offset_secs(&self) -> i64 {
        self.inner.clock_offset.load(Ordering::Relaxed)
    }

    /// Runs any operation whose request body (if any) is in its parameters. A streamed
    /// response body (GetObject) is checked and dropped; use [`Client::get_object`] to keep
    /// it.
    pub fn execute<O: Operation>(&self, op: &O) -> Result<O::Output> {
        self.run(op, None, None)
    }

    calls! {
        /// `getService`: the buckets of the account.
        get_service(GetService) -> ListAllMyBucketsResult;
        /// `putBucket`: creates a bucket.
        put_bucket(PutBucket) -> EmptyOutput;
        /// `headBucket`: whether a bucket exists and may be accessed.
        head_bucket(HeadBucket) -> HeadBucketOutput;
        /// `getBucket`: lists objects.
        get_bucket(GetBucket) -> ListBucketResult;
        /// `deleteBucket`: deletes an empty bucket.
        delete_bucket(DeleteBucket) -> EmptyOutput;
        /// `getBucketLocation`: the region of a bucket.
        get_bucket_location(GetBucketLocation) -> BucketLocation;
        /// `getBucketAcl`: the ACL of a bucket.
        get_bucket_acl(GetBucketAcl) -> AclOutput;
        /// `putBucketAcl`: sets the ACL of a bucket.
        put_bucket_acl(PutBucketAcl) -> EmptyOutput;
        /// `getObjectAcl`: the ACL of an object.
        get_object_acl(GetObjectAcl) -> AclOutput;
        /// `putObjectAcl`: sets the ACL of an object.
        put_object_acl(PutObjectAcl) -> EmptyOutput;
        /// `getBucketCors`: the CORS rules of a bucket.
        get_bucket_cors(GetBucketCors) -> CorsConfiguration;
        /// `putBucketCors`: sets the CORS rules of a bucket.
        put_bucket_cors(PutBucketCors) -> EmptyOutput;
        /// `deleteBucketCors`: removes the CORS rules of a bucket.
        delete_bucket_cors(DeleteBucketCors) -> EmptyOutput;
        /// `optionsObject`: a CORS preflight request.
        options_object(OptionsObject) -> OptionsObjectOutput;
        /// `headObject`: the metadata of an object.
        head_object(HeadObject) -> HeadObjectOutput;
        /// `putObject` with the body in [`PutObject::body`] (bytes); see
        /// [`Client::put_object_from`] for files and streams.
        put_object(PutObject) -> PutObjectOutput;
        /// `deleteObject`: deletes an object.
        delete_object(DeleteObject) -> DeleteObjectOutput;
        /// `deleteMultipleObject`: deletes up to 1000 objects.
        delete_multiple_object(DeleteMultipleObject) -> DeleteResult;
        /// `putObjectCopy`: copies an object.
        put_object_copy(PutObjectCopy) -> CopyObjectResult;
        /// `multipartInit`: starts a multipart upload.
        multipart_init(MultipartInit) -> InitiateMultipartUploadResult;
        /// `multipartUpload` with the body in [`MultipartUpload::body`]; see
        /// [`Client::multipart_upload_from`].
        multipart_upload(MultipartUpload) -> UploadPartOutput;
        /// `uploadPartCopy`: a part copied from another object.
        upload_part_copy(UploadPartCopy) -> CopyPartResult;
        /// `multipartComplete`: assembles the parts.
        multipart_complete(MultipartComplete) -> CompleteMultipartUploadResult;
        /// `multipartListPart`: the parts uploaded so far.
        multipart_list_part(MultipartListPart) -> ListPartsResult;
        /// `multipartAbort`: abandons an upload and its parts.
        multipart_abort(MultipartAbort) -> EmptyOutput;
        /// `multipartList`: the uploads in progress.
        multipart_list(MultipartList) -> ListMultipartUploadsResult;
    }

    /// `putObject` with the data from `upload` (bytes, a file, a stream); `params.body` is
    /// ignored.
    pub fn put_object_from(
        &self,
        params: &PutObject,
        upload: Upload<'_>,
    ) -> Result<PutObjectOutput> {
        let op = PutObject {
            body: upload.body(),
            ..params.clone()
        };
        self.run(&op, Some(upload), None)
    }

    /// `multipartUpload` with the part's data from `upload`; `params.body` is ignored.
    pub fn multipart_upload_from(
        &self,
        params: &MultipartUpload,
        upload: Upload<'_>,
    ) -> Result<UploadPartOutput> {
        let op = MultipartUpload {
            body: upload.body(),
            ..params.clone()
        };
        self.run(&op, Some(upload), None)
    }

    /// `getObject` into memory.
    pub fn get_object(&self, params: &GetObject) -> Result<GetObjectData> {
        let mut body = Vec::new();
        let output = self.get_object_into(params, Download::to_vec(&mut body))?;
        Ok(GetObjectData { output, body })
    }

    /// `getObject` into `download` (a `Vec`, a writer, a file).
    pub fn get_object_into(
        &self,
        params: &GetObject,
        download: Download<'_>,
    ) -> Result<GetObjectOutput> {
        self.run(params, None, Some(download))
    }

    /// `getAuth`: the Authorization value for a request described by `params`, signed with
    /// the client's key (`params.credentials` overrides it). With an authorizer, the
    /// authorizer's answer for that request.
    pub fn get_auth(&self, params: &GetAuthorization) -> Result<String> {
        let now = self.server_now();
        let mut params = params.clone();
        if params.credentials.is_none() {
            match self.signer(None, now)? {
                Some(signer) => params.credentials = Some(signer.credentials().clone()),
                None => return self.authorizer_auth(&params),
            }
        }
        Ok(params.sign(now)?.as_str().to_owned())
    }

    /// `getObjectUrl`: the URL of an object, signed with the client's key when
    /// `params.sign` (the default). A signed URL needs a key: with an authorizer it is an
    /// error.
    pub fn get_object_url(&self, params: &GetObjectUrl) -> Result<String> {
        let now = self.server_now();
        let signer = if params.sign {
            Some(self.signer(Some(&params.bucket), now)?.ok_or_else(|| {
                Error::invalid(
                    "Sign",
                    "a signed URL needs a key; a client with an authorizer has none",
                )
            })?)
        } else {
            None
        };
        Ok(params.url(&self.inner.endpoint, signer.as_deref(), now)?)
    }

    /// The signer of the key modes, `None` with an authorizer.
    fn signer(
        &self,
        bucket: Option<&str>,
        now: std::time::SystemTime,
    ) -> Result<Option<Arc<Signer>>> {
        let scope = CredentialScope {
            bucket,
            region: self.region(),
        };
        self.inner.auth.signer(&scope, now)
    }
}
