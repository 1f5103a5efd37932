/**
 * The service's API as TypeScript types: generated from openapi.yaml by openapi-typescript 7.13.0.
 * Do not edit: run `npm run sdk` (a test fails when this file drifts from openapi.yaml).
 */

export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Welcome
         * @description Says what this service is: its name and version, the default model, the inference backend, and where the docs are. A browser (Accept: text/html before application/json) gets a page instead, where a person can pick, drop or take a photo and see what the model answers.
         */
        get: operations["getWelcome"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify an image, or several
         * @description Send an image as the multipart field `file`, as a raw body with an image content type, or base64-encoded in JSON (`{"image": "..."}`); the default model (DEFAULT_MODEL) answers. Supported formats: JPEG, PNG, GIF, WebP, AVIF, TIFF (JPEG: baseline, progressive, lossless, arithmetic-coded, CMYK, greyscale; animations and multi-page files: the first frame or page). Refused with 415: HEIC/HEIF (HEVC), 12-bit and hierarchical JPEG, JPEG 2000, JPEG XL, BMP, ICO, PSD, PNM (PPM/PGM/PBM), XPM, ICNS, QOI, SVG, PDF. The format is told from the bytes, not the content type. At most 10485760 bytes (MAX_UPLOAD_BYTES) and 50000000 pixels (MAX_PIXELS, read from the header before decoding). Answers the most probable label, its probability, and every label's probability, most probable first. Several images in one request (the field `file` repeated, or `{"images": [...]}`) are classified together and answered as `{"results": [...]}`, one entry per image in order, each its prediction or its own error envelope. At most 16 images (MAX_IMAGES_PER_REQUEST, more is a 400 TOO_MANY_IMAGES) and 33554432 bytes of images (MAX_REQUEST_BYTES, more is a 413) per request.
         */
        post: operations["predict"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List loaded models
         * @description Every model version this service serves, with its metadata: the default model (DEFAULT_MODEL, which answers POST /predict) first, then by name, each model's newest version first.
         */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Describe a model
         * @description Labels, input shape, preprocessing, version, weights digest and the inference backend (with the reason each better backend was skipped), of the newest serving version.
         */
        get: operations["getModel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Describe a model version
         * @description GET /models/{name} for one repository version of the model (the directory number, 1 for a flat model directory).
         */
        get: operations["getModelVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server metadata (Open Inference Protocol)
         * @description The server's name, version and the protocol extensions it supports.
         */
        get: operations["serverMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model metadata (Open Inference Protocol)
         * @description The model's versions, platform, its input (image: BYTES, encoded images) and output (probabilities: FP32, one probability per label), and its labels.
         */
        get: operations["modelMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model version metadata (Open Inference Protocol)
         * @description The model's versions, platform, its input (image: BYTES, encoded images) and output (probabilities: FP32, one probability per label), and its labels.
         */
        get: operations["modelVersionMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model readiness (Open Inference Protocol)
         * @description Whether the model can answer: 200 when it is loaded and the server is ready, 503 while starting or draining, 404 for a model (or version) that is not loaded.
         */
        get: operations["modelReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model version readiness (Open Inference Protocol)
         * @description Whether the model can answer: 200 when it is loaded and the server is ready, 503 while starting or draining, 404 for a model (or version) that is not loaded.
         */
        get: operations["modelVersionReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify images (Open Inference Protocol)
         * @description One BYTES input, "image", of shape [N]: N encoded images, base64 strings in JSON, or raw with the binary tensor data extension (Content-Type application/octet-stream, the JSON header first, its length in the Inference-Header-Content-Length header, each image a 4-byte little-endian length then its bytes). Answers the FP32 output "probabilities" of shape [N, labels] (label order in the model metadata), or with parameters.classification = K the top K classes as "score:index:label" strings; with binary_data the output comes as binary after the JSON. The request id is echoed. Errors are {"error": "..."} (with the service's code and status). At most 16 images and 33554432 bytes of images per request.
         */
        post: operations["modelInfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/models/{name}/versions/{version}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify images with a model version (Open Inference Protocol)
         * @description One BYTES input, "image", of shape [N]: N encoded images, base64 strings in JSON, or raw with the binary tensor data extension (Content-Type application/octet-stream, the JSON header first, its length in the Inference-Header-Content-Length header, each image a 4-byte little-endian length then its bytes). Answers the FP32 output "probabilities" of shape [N, labels] (label order in the model metadata), or with parameters.classification = K the top K classes as "score:index:label" strings; with binary_data the output comes as binary after the JSON. The request id is echoed. Errors are {"error": "..."} (with the service's code and status). At most 16 images and 33554432 bytes of images per request.
         */
        post: operations["modelVersionInfer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model status (TF Serving)
         * @description The state of the model's serving versions (AVAILABLE), as TF Serving's model status API answers; 404 for a model or version that is not loaded.
         */
        get: operations["tfServingModelStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model version status (TF Serving)
         * @description The state of the model's serving versions (AVAILABLE), as TF Serving's model status API answers; 404 for a model or version that is not loaded.
         */
        get: operations["tfServingVersionStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model metadata (TF Serving)
         * @description The serving_default signature: input image (DT_STRING, encoded images as {"b64": "..."}), output probabilities (DT_FLOAT, one per label), and the labels.
         */
        get: operations["tfServingModelMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model version metadata (TF Serving)
         * @description The serving_default signature: input image (DT_STRING, encoded images as {"b64": "..."}), output probabilities (DT_FLOAT, one per label), and the labels.
         */
        get: operations["tfServingVersionMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}:predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict (TF Serving)
         * @description The row format {"instances": [{"b64": "..."}, ...]} is answered {"predictions": [[p, ...], ...]}; the columnar format {"inputs": ...} is answered {"outputs": ...}: per image, the probability of each label in the model's label order (GET .../metadata lists them). At most 16 images and 33554432 bytes of images per request. Errors are {"error": "..."} (with the service's code and status).
         */
        post: operations["tfServingPredict"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}:predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict with a model version (TF Serving)
         * @description The row format {"instances": [{"b64": "..."}, ...]} is answered {"predictions": [[p, ...], ...]}; the columnar format {"inputs": ...} is answered {"outputs": ...}: per image, the probability of each label in the model's label order (GET .../metadata lists them). At most 16 images and 33554432 bytes of images per request. Errors are {"error": "..."} (with the service's code and status).
         */
        post: operations["tfServingVersionPredict"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}:classify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify (TF Serving)
         * @description {"examples": [{"image": {"b64": "..."}}, ...]} is answered {"result": [[[label, score], ...], ...]}: per image, every label with its score, in the model's label order. At most 16 images and 33554432 bytes of images per request.
         */
        post: operations["tfServingClassify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{name}/versions/{version}:classify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Classify with a model version (TF Serving)
         * @description {"examples": [{"image": {"b64": "..."}}, ...]} is answered {"result": [[[label, score], ...], ...]}: per image, every label with its score, in the model's label order. At most 16 images and 33554432 bytes of images per request.
         */
        post: operations["tfServingVersionClassify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/repository/index": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * List the model repository
         * @description Every model in the repository (MODEL_REPOSITORY) with the state of each version this server knows, as Triton's repository extension answers; an optional JSON body `{"ready": true}` lists only the ready versions. Needs `Authorization: Bearer <ADMIN_TOKEN>`.
         */
        post: operations["repositoryIndex"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/repository/models/{name}/load": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Load or reload a model
         * @description Reads the model's versions from the repository, loads and warms up those its version policy (VERSION_POLICY) serves beside the serving ones, then swaps: new requests go to the new versions, requests under way finish on the old ones, which are then released. Answers once the swap is done. A version that fails to load leaves the serving ones as they were. Needs `Authorization: Bearer <ADMIN_TOKEN>`.
         */
        post: operations["repositoryModelLoad"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/repository/models/{name}/unload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Unload a model
         * @description Stops serving the model: new requests get 404 MODEL_NOT_FOUND; requests under way finish, then its workers and tensors are released. Answers once they are. Needs `Authorization: Bearer <ADMIN_TOKEN>`.
         */
        post: operations["repositoryModelUnload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description The process is up and its event loop answers. Stays 200 while draining: restarting a draining instance would only cut its requests short.
         */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description 200 when this instance should be sent traffic: the model is loaded and warmed up. Answers 503 while starting (before the model is loaded and warmed up), while a required model (REQUIRED_MODELS, by default the default model) is not loaded, and while draining (after SIGTERM or SIGINT).
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness (Open Inference Protocol)
         * @description The Open Inference Protocol (KServe v2) form of GET /health/live.
         */
        get: operations["serverLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v2/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness (Open Inference Protocol)
         * @description The Open Inference Protocol (KServe v2) form of GET /health/ready. Answers 503 while starting (before the model is loaded and warmed up), while a required model (REQUIRED_MODELS, by default the default model) is not loaded, and while draining (after SIGTERM or SIGINT).
         */
        get: operations["serverReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Prometheus text format: requests by route, status and error code; request duration; in-flight requests; decode, queue and infer time per model; batch size; queue depth; TF.js tensors and bytes; model info (name, version, backend, digest); process and Node.js metrics, event-loop delay included. Scrape each instance, not the load balancer.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Liveness
         * @description The process is up.
         * @example {
         *       "status": "live",
         *       "uptimeSeconds": 42.5
         *     }
         */
        Liveness: {
            /**
             * @description Always live when the process answers.
             * @enum {string}
             */
            status: "live";
            /** @description Seconds since the process started. */
            uptimeSeconds: number;
        };
        /**
         * Readiness
         * @description Whether this instance should receive traffic, and why not.
         * @example {
         *       "status": "ready",
         *       "ready": true,
         *       "since": "2026-11-24T12:00:00.000Z",
         *       "models": [
         *         {
         *           "name": "food",
         *           "version": "4.0.0"
         *         }
         *       ],
         *       "backend": "wasm"
         *     }
         */
        Readiness: {
            /** @description ready: the model is loaded and warmed up; starting: not yet; draining: shutting down, send traffic elsewhere. */
            status: "ready" | "starting" | "draining";
            /** @description Whether to send this instance traffic. */
            ready: boolean;
            /**
             * Format: date-time
             * @description When this status began.
             */
            since: string;
            /** @description The models this instance serves. */
            models: components["schemas"]["ModelRef"][];
            /**
             * @description The inference backend.
             * @example wasm
             */
            backend: string;
        };
        /**
         * V2Live
         * @description Open Inference Protocol liveness.
         * @example {
         *       "live": true
         *     }
         */
        V2Live: {
            /** @description True when the process answers. */
            live: boolean;
        };
        /**
         * V2Ready
         * @description Open Inference Protocol readiness.
         * @example {
         *       "ready": true
         *     }
         */
        V2Ready: {
            /** @description True when the server should receive traffic. */
            ready: boolean;
        };
        /**
         * V2ModelReady
         * @description Open Inference Protocol model readiness.
         * @example {
         *       "name": "food",
         *       "ready": true
         *     }
         */
        V2ModelReady: {
            /**
             * @description The model name.
             * @example food
             */
            name: string;
            /** @description True when the model can answer. */
            ready: boolean;
        };
        /**
         * Error
         * @description The one shape of every error response.
         */
        Error: {
            /** @description The HTTP status, repeated. */
            statusCode: number;
            /** @description The HTTP reason phrase; on the KServe V2, TF Serving and repository routes, whose clients read the message there, the message. */
            error: string;
            /**
             * @description Stable machine-readable error code.
             * @enum {string}
             */
            code: "VALIDATION_ERROR" | "NO_FILE" | "NOT_FOUND" | "MODEL_NOT_FOUND" | "PAYLOAD_TOO_LARGE" | "TOO_MANY_PIXELS" | "UNSUPPORTED_MEDIA_TYPE" | "UNDECODABLE_IMAGE" | "DECODE_TIMEOUT" | "BAD_REQUEST" | "QUEUE_FULL" | "DEADLINE_EXCEEDED" | "OVERLOADED" | "SHUTTING_DOWN" | "SERVICE_UNAVAILABLE" | "INTERNAL_ERROR" | "TOO_MANY_IMAGES" | "MODEL_LOAD_FAILED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "BODY_TIMEOUT" | "UPLOADS_BUSY" | "WORKER_FAILED" | "MODEL_UNAVAILABLE";
            /** @description What went wrong and how to fix it, for people. */
            message: string;
        };
        /**
         * ModelRef
         * @description A model, by name and version.
         */
        ModelRef: {
            /**
             * @description The model's name, as in GET /models/{name}.
             * @example food
             */
            name: string;
            /**
             * @description The model's version, from its manifest.
             * @example 4.0.0
             */
            version: string;
        };
        /**
         * Welcome
         * @description What this service is: its name and version, the default model, the inference backend, and where the docs are.
         * @example {
         *       "name": "food-classifier-service",
         *       "version": "0.1.0",
         *       "message": "Welcome! POST an image to /predict (multipart field \"file\") to ask whether it shows food or not_food.",
         *       "model": {
         *         "name": "food",
         *         "version": "4.0.0"
         *       },
         *       "backend": "wasm",
         *       "docs": "/docs"
         *     }
         */
        Welcome: {
            /**
             * @description The service's name.
             * @example food-classifier-service
             */
            name: string;
            /**
             * @description The service's version.
             * @example 0.1.0
             */
            version: string;
            /** @description How to use it, for people. */
            message: string;
            model: components["schemas"]["ModelRef"];
            /**
             * @description The inference backend the models run on (tensorflow-gpu, webgpu, onnxruntime, tensorflow, wasm or cpu).
             * @example wasm
             */
            backend: string;
            /**
             * @description Where Swagger UI is served.
             * @example /docs
             */
            docs: string;
        };
        /**
         * LabelProbability
         * @description One label and its probability.
         */
        LabelProbability: {
            /**
             * @description One of the model's labels.
             * @example food
             */
            label: string;
            /**
             * @description Its probability; all labels' add up to 1.
             * @example 0.97
             */
            probability: number;
        };
        /**
         * Prediction
         * @description What the model sees in the image: the most probable label, its probability, every label's probability, and the model that answered.
         * @example {
         *       "label": "food",
         *       "probability": 0.97,
         *       "uncertain": false,
         *       "predictions": [
         *         {
         *           "label": "food",
         *           "probability": 0.97
         *         },
         *         {
         *           "label": "not_food",
         *           "probability": 0.03
         *         }
         *       ],
         *       "warnings": [],
         *       "model": {
         *         "name": "food",
         *         "version": "4.0.0"
         *       },
         *       "backend": "wasm"
         *     }
         */
        Prediction: {
            /**
             * @description The most probable label.
             * @example food
             */
            label: string;
            /**
             * @description Probability of that label.
             * @example 0.97
             */
            probability: number;
            /** @description True when the top probability is below the model's uncertain threshold: treat the label as a guess. */
            uncertain: boolean;
            /** @description Every label (or the topK most probable) with its probability, most probable first. */
            predictions: components["schemas"]["LabelProbability"][];
            /** @description What was done to the image before inference: EXIF rotation, alpha flattened, first frame of an animation, upscaled, colour conversions. */
            warnings: string[];
            model: components["schemas"]["ModelRef"];
            /**
             * @description The inference backend that ran the model.
             * @example wasm
             */
            backend: string;
        };
        /**
         * ImageError
         * @description The error envelope of one image of several: the others are answered all the same.
         */
        ImageError: {
            /** @description The status this image alone would have got. */
            statusCode: number;
            /** @description The HTTP reason phrase. */
            error: string;
            /**
             * @description Stable machine-readable error code.
             * @enum {string}
             */
            code: "VALIDATION_ERROR" | "NO_FILE" | "NOT_FOUND" | "MODEL_NOT_FOUND" | "PAYLOAD_TOO_LARGE" | "TOO_MANY_PIXELS" | "UNSUPPORTED_MEDIA_TYPE" | "UNDECODABLE_IMAGE" | "DECODE_TIMEOUT" | "BAD_REQUEST" | "QUEUE_FULL" | "DEADLINE_EXCEEDED" | "OVERLOADED" | "SHUTTING_DOWN" | "SERVICE_UNAVAILABLE" | "INTERNAL_ERROR" | "TOO_MANY_IMAGES" | "MODEL_LOAD_FAILED" | "UNAUTHORIZED" | "FORBIDDEN" | "RATE_LIMITED" | "BODY_TIMEOUT" | "UPLOADS_BUSY" | "WORKER_FAILED" | "MODEL_UNAVAILABLE";
            /** @description What went wrong with this image. */
            message: string;
        };
        /**
         * PredictionResults
         * @description The answers to several images sent in one request.
         * @example {
         *       "results": [
         *         {
         *           "label": "food",
         *           "probability": 0.97,
         *           "uncertain": false,
         *           "predictions": [
         *             {
         *               "label": "food",
         *               "probability": 0.97
         *             },
         *             {
         *               "label": "not_food",
         *               "probability": 0.03
         *             }
         *           ],
         *           "warnings": [],
         *           "model": {
         *             "name": "food",
         *             "version": "4.0.0"
         *           },
         *           "backend": "wasm"
         *         },
         *         {
         *           "statusCode": 415,
         *           "error": "Unsupported Media Type",
         *           "code": "UNSUPPORTED_MEDIA_TYPE",
         *           "message": "The data is not an image in a supported format (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
         *         }
         *       ]
         *     }
         */
        PredictionResults: {
            /** @description One entry per image, in the order sent: its prediction, or its own error envelope. */
            results: (components["schemas"]["Prediction"] | components["schemas"]["ImageError"])[];
        };
        /**
         * SkippedBackend
         * @description A better inference backend that was not used, and why.
         */
        SkippedBackend: {
            /**
             * @description The backend.
             * @example tensorflow
             */
            name: string;
            /**
             * @description The npm package that provides it.
             * @example @tensorflow/tfjs-node
             */
            package: string;
            /**
             * @description Why it was not used.
             * @example not installed
             */
            reason: string;
        };
        /**
         * ModelInfo
         * @description A loaded model: what it answers, what it expects, and where it runs.
         * @example {
         *       "name": "food",
         *       "version": "4.0.0",
         *       "repositoryVersion": 1,
         *       "description": "Food / not-food photo classifier.",
         *       "labels": [
         *         "food",
         *         "not_food"
         *       ],
         *       "format": "graph-model",
         *       "inputShape": [
         *         300,
         *         300,
         *         3
         *       ],
         *       "preprocessing": {
         *         "resizeMode": "fill",
         *         "normalization": {
         *           "mean": [
         *             127.5,
         *             127.5,
         *             127.5
         *           ],
         *           "std": [
         *             127.5,
         *             127.5,
         *             127.5
         *           ]
         *         },
         *         "steps": [
         *           "EXIF orientation applied",
         *           "alpha flattened onto white",
         *           "converted to 8-bit sRGB",
         *           "resized to the input size",
         *           "normalised per channel"
         *         ]
         *       },
         *       "uncertainThreshold": 0.6,
         *       "sha256": "e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27",
         *       "backend": {
         *         "name": "wasm",
         *         "package": "@tensorflow/tfjs-backend-wasm",
         *         "forced": false,
         *         "skipped": [
         *           {
         *             "name": "tensorflow",
         *             "package": "@tensorflow/tfjs-node",
         *             "reason": "not installed"
         *           }
         *         ]
         *       },
         *       "inference": {
         *         "workers": 2,
         *         "maxBatchSize": 4,
         *         "maxBatchDelayMs": 2,
         *         "maxQueue": 64,
         *         "requests": 1200,
         *         "batches": 910,
         *         "tensors": 424
         *       }
         *     }
         */
        ModelInfo: {
            /**
             * @description The model's name, as in GET /models/{name}.
             * @example food
             */
            name: string;
            /**
             * @description The model's version, from its manifest.
             * @example 4.0.0
             */
            version: string;
            /**
             * @description Its version in the model repository (<name>/<version>/; 1 for a flat model directory): what the V2 and TF Serving routes address.
             * @example 1
             */
            repositoryVersion: number;
            /** @description What the model does, from its manifest. */
            description: string;
            /**
             * @description Every label the model answers, in the order of its outputs.
             * @example [
             *       "food",
             *       "not_food"
             *     ]
             */
            labels: string[];
            /** @description TF.js model format: layers-model or graph-model. */
            format: string;
            /**
             * @description Model input as [height, width, channels].
             * @example [
             *       224,
             *       224,
             *       3
             *     ]
             */
            inputShape: number[];
            /** @description How an image becomes the model's input. */
            preprocessing: {
                /** @description How the image is fitted to the input size (sharp fit: cover, contain, fill). */
                resizeMode: string;
                /** @description value = (pixel - mean) / std, per RGB channel, pixels in 0..255. */
                normalization: {
                    mean: number[];
                    std: number[];
                };
                /** @description What is done to an image before inference, in order. */
                steps: string[];
            };
            /** @description Below this top probability, a prediction is marked uncertain. */
            uncertainThreshold: number;
            /** @description Digest of model.json and its weight files. */
            sha256: string;
            /** @description Where the model runs: the inference backend chosen at boot. */
            backend: {
                /**
                 * @description The inference backend that runs the model.
                 * @example wasm
                 */
                name: string;
                /**
                 * @description The npm package that provides it.
                 * @example @tensorflow/tfjs-backend-wasm
                 */
                package: string;
                /** @description True when INFERENCE_BACKEND (formerly TFJS_BACKEND) forced it. */
                forced: boolean;
                /** @description Better backends that were not used, and why. */
                skipped: components["schemas"]["SkippedBackend"][];
                /** @description webgpu only: the Vulkan adapter WebGPU runs on. */
                adapter?: {
                    /**
                     * @description The device, as its Vulkan driver names it.
                     * @example NVIDIA H100 80GB HBM3
                     */
                    name: string;
                    /**
                     * @description The Vulkan driver library that runs it.
                     * @example libGLX_nvidia.so.0
                     */
                    driver?: string;
                    /** @description True for a CPU rasteriser (lavapipe, SwiftShader), which only a forced INFERENCE_BACKEND=webgpu uses. */
                    software: boolean;
                };
            };
            /** @description How requests reach the model (dynamic batching over worker threads), with running counts. */
            inference: {
                /** @description Worker threads holding the model (0: the main thread). */
                workers: number;
                /** @description The most requests run as one batch (MAX_BATCH_SIZE). */
                maxBatchSize: number;
                /** @description How long a partial batch waits for company while other workers are busy, in ms (MAX_BATCH_DELAY_MS). */
                maxBatchDelayMs: number;
                /** @description Requests waiting beyond this are refused with 503 QUEUE_FULL (MAX_QUEUE). */
                maxQueue: number;
                /** @description onnxruntime and webgpu: the precision the graph runs at: int8 when the model ships a calibration (int8.json) and ONNX_PRECISION allows it, fp32 otherwise. */
                precision?: "fp32" | "int8";
                /** @description Requests answered since start. */
                requests: number;
                /** @description Batches run since start: requests / batches is the mean batch size. */
                batches: number;
                /** @description TF.js tensors held by the model engines (flat over time when nothing leaks). */
                tensors: number;
            };
        };
        /**
         * ModelList
         * @description Every loaded model.
         * @example {
         *       "models": [
         *         {
         *           "name": "food",
         *           "version": "4.0.0",
         *           "repositoryVersion": 1,
         *           "description": "Food / not-food photo classifier.",
         *           "labels": [
         *             "food",
         *             "not_food"
         *           ],
         *           "format": "graph-model",
         *           "inputShape": [
         *             300,
         *             300,
         *             3
         *           ],
         *           "preprocessing": {
         *             "resizeMode": "fill",
         *             "normalization": {
         *               "mean": [
         *                 127.5,
         *                 127.5,
         *                 127.5
         *               ],
         *               "std": [
         *                 127.5,
         *                 127.5,
         *                 127.5
         *               ]
         *             },
         *             "steps": [
         *               "EXIF orientation applied",
         *               "alpha flattened onto white",
         *               "converted to 8-bit sRGB",
         *               "resized to the input size",
         *               "normalised per channel"
         *             ]
         *           },
         *           "uncertainThreshold": 0.6,
         *           "sha256": "e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27",
         *           "backend": {
         *             "name": "wasm",
         *             "package": "@tensorflow/tfjs-backend-wasm",
         *             "forced": false,
         *             "skipped": [
         *               {
         *                 "name": "tensorflow",
         *                 "package": "@tensorflow/tfjs-node",
         *                 "reason": "not installed"
         *               }
         *             ]
         *           },
         *           "inference": {
         *             "workers": 2,
         *             "maxBatchSize": 4,
         *             "maxBatchDelayMs": 2,
         *             "maxQueue": 64,
         *             "requests": 1200,
         *             "batches": 910,
         *             "tensors": 424
         *           }
         *         }
         *       ]
         *     }
         */
        ModelList: {
            /** @description The first one is the default model, which answers POST /predict. */
            models: components["schemas"]["ModelInfo"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getWelcome: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service, its version, the default model and backend, and where the docs are. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food-classifier-service",
                     *       "version": "0.1.0",
                     *       "message": "Welcome! POST an image to /predict (multipart field \"file\") to ask whether it shows food or not_food.",
                     *       "model": {
                     *         "name": "food",
                     *         "version": "4.0.0"
                     *       },
                     *       "backend": "wasm",
                     *       "docs": "/docs"
                     *     }
                     */
                    "application/json": components["schemas"]["Welcome"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    predict: {
        parameters: {
            query?: {
                /** @description Return only the topK most probable labels in `predictions`. */
                topK?: number;
            };
            header?: {
                /** @description How long the client will wait, in ms (capped at 30000, MAX_REQUEST_TIMEOUT_MS). A request whose deadline cannot be met is refused at once with 503 DEADLINE_EXCEEDED instead of timing out later. */
                "x-request-timeout-ms"?: number;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description The image file; repeat the field for several images. At most 10485760 bytes (MAX_UPLOAD_BYTES) and 50000000 pixels (MAX_PIXELS, read from the header before decoding). At most 16 images (MAX_IMAGES_PER_REQUEST, more is a 400 TOO_MANY_IMAGES) and 33554432 bytes of images (MAX_REQUEST_BYTES, more is a 413) per request.
                     */
                    file: Blob;
                };
                /**
                 * @example {
                 *       "image": "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *     }
                 */
                "application/json": {
                    /** @description One image, its bytes base64-encoded (a data: URL is accepted too). */
                    image?: string;
                    /** @description Several images, each base64-encoded: answered as {"results": [...]}. At most 16 images (MAX_IMAGES_PER_REQUEST, more is a 400 TOO_MANY_IMAGES) and 33554432 bytes of images (MAX_REQUEST_BYTES, more is a 413) per request. */
                    images?: string[];
                };
                "application/octet-stream": Blob;
                "image/*": Blob;
            };
        };
        responses: {
            /** @description One image: the most probable label, its probability, and every label's probability, most probable first. Several: {"results": [...]}, one entry per image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Prediction"] | components["schemas"]["PredictionResults"];
                };
            };
            /** @description No image was received (`NO_FILE`), or a query parameter is invalid (`VALIDATION_ERROR`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "Not Found",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body was still arriving BODY_TIMEOUT_MS after the request began (`BODY_TIMEOUT`); the connection is closed. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 408,
                     *       "error": "Request Timeout",
                     *       "code": "BODY_TIMEOUT",
                     *       "message": "The request body did not arrive within 30000 ms (BODY_TIMEOUT_MS); the connection is closed."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "Unsupported Media Type",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every loaded model, the default one first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "models": [
                     *         {
                     *           "name": "food",
                     *           "version": "4.0.0",
                     *           "repositoryVersion": 1,
                     *           "description": "Food / not-food photo classifier.",
                     *           "labels": [
                     *             "food",
                     *             "not_food"
                     *           ],
                     *           "format": "graph-model",
                     *           "inputShape": [
                     *             300,
                     *             300,
                     *             3
                     *           ],
                     *           "preprocessing": {
                     *             "resizeMode": "fill",
                     *             "normalization": {
                     *               "mean": [
                     *                 127.5,
                     *                 127.5,
                     *                 127.5
                     *               ],
                     *               "std": [
                     *                 127.5,
                     *                 127.5,
                     *                 127.5
                     *               ]
                     *             },
                     *             "steps": [
                     *               "EXIF orientation applied",
                     *               "alpha flattened onto white",
                     *               "converted to 8-bit sRGB",
                     *               "resized to the input size",
                     *               "normalised per channel"
                     *             ]
                     *           },
                     *           "uncertainThreshold": 0.6,
                     *           "sha256": "e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27",
                     *           "backend": {
                     *             "name": "wasm",
                     *             "package": "@tensorflow/tfjs-backend-wasm",
                     *             "forced": false,
                     *             "skipped": [
                     *               {
                     *                 "name": "tensorflow",
                     *                 "package": "@tensorflow/tfjs-node",
                     *                 "reason": "not installed"
                     *               }
                     *             ]
                     *           },
                     *           "inference": {
                     *             "workers": 2,
                     *             "maxBatchSize": 4,
                     *             "maxBatchDelayMs": 2,
                     *             "maxQueue": 64,
                     *             "requests": 1200,
                     *             "batches": 910,
                     *             "tensors": 424
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getModel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name, as listed by GET /models.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model's metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "version": "4.0.0",
                     *       "repositoryVersion": 1,
                     *       "description": "Food / not-food photo classifier.",
                     *       "labels": [
                     *         "food",
                     *         "not_food"
                     *       ],
                     *       "format": "graph-model",
                     *       "inputShape": [
                     *         300,
                     *         300,
                     *         3
                     *       ],
                     *       "preprocessing": {
                     *         "resizeMode": "fill",
                     *         "normalization": {
                     *           "mean": [
                     *             127.5,
                     *             127.5,
                     *             127.5
                     *           ],
                     *           "std": [
                     *             127.5,
                     *             127.5,
                     *             127.5
                     *           ]
                     *         },
                     *         "steps": [
                     *           "EXIF orientation applied",
                     *           "alpha flattened onto white",
                     *           "converted to 8-bit sRGB",
                     *           "resized to the input size",
                     *           "normalised per channel"
                     *         ]
                     *       },
                     *       "uncertainThreshold": 0.6,
                     *       "sha256": "e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27",
                     *       "backend": {
                     *         "name": "wasm",
                     *         "package": "@tensorflow/tfjs-backend-wasm",
                     *         "forced": false,
                     *         "skipped": [
                     *           {
                     *             "name": "tensorflow",
                     *             "package": "@tensorflow/tfjs-node",
                     *             "reason": "not installed"
                     *           }
                     *         ]
                     *       },
                     *       "inference": {
                     *         "workers": 2,
                     *         "maxBatchSize": 4,
                     *         "maxBatchDelayMs": 2,
                     *         "maxQueue": 64,
                     *         "requests": 1200,
                     *         "batches": 910,
                     *         "tensors": 424
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ModelInfo"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "Not Found",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getModelVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name, as listed by GET /models.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model version's metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "version": "4.0.0",
                     *       "repositoryVersion": 1,
                     *       "description": "Food / not-food photo classifier.",
                     *       "labels": [
                     *         "food",
                     *         "not_food"
                     *       ],
                     *       "format": "graph-model",
                     *       "inputShape": [
                     *         300,
                     *         300,
                     *         3
                     *       ],
                     *       "preprocessing": {
                     *         "resizeMode": "fill",
                     *         "normalization": {
                     *           "mean": [
                     *             127.5,
                     *             127.5,
                     *             127.5
                     *           ],
                     *           "std": [
                     *             127.5,
                     *             127.5,
                     *             127.5
                     *           ]
                     *         },
                     *         "steps": [
                     *           "EXIF orientation applied",
                     *           "alpha flattened onto white",
                     *           "converted to 8-bit sRGB",
                     *           "resized to the input size",
                     *           "normalised per channel"
                     *         ]
                     *       },
                     *       "uncertainThreshold": 0.6,
                     *       "sha256": "e2ebaa1b9ee4f00b600c117a878ecf52637e66b2b5a71ec5f374fcdbcee9fb27",
                     *       "backend": {
                     *         "name": "wasm",
                     *         "package": "@tensorflow/tfjs-backend-wasm",
                     *         "forced": false,
                     *         "skipped": [
                     *           {
                     *             "name": "tensorflow",
                     *             "package": "@tensorflow/tfjs-node",
                     *             "reason": "not installed"
                     *           }
                     *         ]
                     *       },
                     *       "inference": {
                     *         "workers": 2,
                     *         "maxBatchSize": 4,
                     *         "maxBatchDelayMs": 2,
                     *         "maxQueue": 64,
                     *         "requests": 1200,
                     *         "batches": 910,
                     *         "tensors": 424
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ModelInfo"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "Not Found",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    serverMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food-classifier-service",
                     *       "version": "0.1.0",
                     *       "extensions": [
                     *         "binary_tensor_data",
                     *         "classification",
                     *         "model_repository"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        name: string;
                        version: string;
                        /** @description The protocol extensions supported. */
                        extensions: string[];
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    modelMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Model metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "versions": [
                     *         "1"
                     *       ],
                     *       "platform": "tfjs_graph-model",
                     *       "inputs": [
                     *         {
                     *           "name": "image",
                     *           "datatype": "BYTES",
                     *           "shape": [
                     *             -1
                     *           ]
                     *         }
                     *       ],
                     *       "outputs": [
                     *         {
                     *           "name": "probabilities",
                     *           "datatype": "FP32",
                     *           "shape": [
                     *             -1,
                     *             2
                     *           ]
                     *         }
                     *       ],
                     *       "labels": [
                     *         "food",
                     *         "not_food"
                     *       ],
                     *       "parameters": {
                     *         "version": "4.0.0",
                     *         "backend": "wasm"
                     *       }
                     *     }
                     */
                    "application/json": {
                        name: string;
                        /** @description The repository versions serving. */
                        versions: string[];
                        /** @description The model format and the engine running it. */
                        platform: string;
                        inputs: {
                            name: string;
                            datatype: string;
                            /** @description -1: any size. */
                            shape: number[];
                        }[];
                        outputs: {
                            name: string;
                            datatype: string;
                            /** @description -1: any size. */
                            shape: number[];
                        }[];
                        /** @description The class of each index of the probabilities output. */
                        labels: string[];
                        parameters: {
                            /** @description The model's own version, from its manifest. */
                            version: string;
                            backend: string;
                        };
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    modelVersionMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Model metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "versions": [
                     *         "1"
                     *       ],
                     *       "platform": "tfjs_graph-model",
                     *       "inputs": [
                     *         {
                     *           "name": "image",
                     *           "datatype": "BYTES",
                     *           "shape": [
                     *             -1
                     *           ]
                     *         }
                     *       ],
                     *       "outputs": [
                     *         {
                     *           "name": "probabilities",
                     *           "datatype": "FP32",
                     *           "shape": [
                     *             -1,
                     *             2
                     *           ]
                     *         }
                     *       ],
                     *       "labels": [
                     *         "food",
                     *         "not_food"
                     *       ],
                     *       "parameters": {
                     *         "version": "4.0.0",
                     *         "backend": "wasm"
                     *       }
                     *     }
                     */
                    "application/json": {
                        name: string;
                        /** @description The repository versions serving. */
                        versions: string[];
                        /** @description The model format and the engine running it. */
                        platform: string;
                        inputs: {
                            name: string;
                            datatype: string;
                            /** @description -1: any size. */
                            shape: number[];
                        }[];
                        outputs: {
                            name: string;
                            datatype: string;
                            /** @description -1: any size. */
                            shape: number[];
                        }[];
                        /** @description The class of each index of the probabilities output. */
                        labels: string[];
                        parameters: {
                            /** @description The model's own version, from its manifest. */
                            version: string;
                            backend: string;
                        };
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    modelReady: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model can answer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "ready": true
                     *     }
                     */
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Starting or draining: send traffic elsewhere. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "ready": false
                     *     }
                     */
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
        };
    };
    modelVersionReady: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model can answer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "ready": true
                     *     }
                     */
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Starting or draining: send traffic elsewhere. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "ready": false
                     *     }
                     */
                    "application/json": components["schemas"]["V2ModelReady"];
                };
            };
        };
    };
    modelInfer: {
        parameters: {
            query?: never;
            header?: {
                /** @description Binary tensor data extension: the byte length of the JSON at the start of the body. */
                "inference-header-content-length"?: number;
            };
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "id": "42",
                 *       "inputs": [
                 *         {
                 *           "name": "image",
                 *           "shape": [
                 *             1
                 *           ],
                 *           "datatype": "BYTES",
                 *           "data": [
                 *             "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *           ]
                 *         }
                 *       ],
                 *       "outputs": [
                 *         {
                 *           "name": "probabilities",
                 *           "parameters": {
                 *             "classification": 2
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description Echoed in the response. */
                    id?: string;
                    parameters?: {
                        /** @description Every output as binary data after the JSON. */
                        binary_data_output?: boolean;
                    } & {
                        [key: string]: unknown;
                    };
                    /** @description One input. */
                    inputs: {
                        /** @description The model's one input: "image". */
                        name: string;
                        /** @description The number of images, such as [1] or [3]. */
                        shape: number[];
                        /** @description BYTES: encoded images (JPEG, PNG, WebP, GIF, AVIF, TIFF). */
                        datatype: string;
                        parameters?: {
                            /** @description Binary tensor data extension: the input's bytes follow the JSON. */
                            binary_data_size?: number;
                        } & {
                            [key: string]: unknown;
                        };
                        /** @description The images, base64-encoded strings (nested arrays are flattened). */
                        data?: unknown[];
                    }[];
                    outputs?: {
                        /** @description The model's one output: "probabilities". */
                        name: string;
                        parameters?: {
                            /** @description Classification extension: the top N classes as "score:index:label" strings instead of the probabilities. */
                            classification?: number;
                            /** @description Binary tensor data extension: return this output as binary data after the JSON. */
                            binary_data?: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    }[];
                };
                "application/octet-stream": Blob;
            };
        };
        responses: {
            /** @description The outputs; with binary outputs, the JSON header then their bytes (Inference-Header-Content-Length gives the JSON's length). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_name": "food",
                     *       "model_version": "1",
                     *       "id": "42",
                     *       "outputs": [
                     *         {
                     *           "name": "probabilities",
                     *           "datatype": "BYTES",
                     *           "shape": [
                     *             1,
                     *             2
                     *           ],
                     *           "data": [
                     *             "0.97:0:food",
                     *             "0.03:1:not_food"
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        model_name: string;
                        model_version: string;
                        id?: string;
                        outputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                            parameters?: {
                                binary_data_size: number;
                            };
                            data?: (number | string)[];
                        }[];
                    };
                    /** @example {"model_name":"food","model_version":"1","outputs":[{"name":"probabilities","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}]}<8 bytes> */
                    "application/octet-stream": Blob;
                };
            };
            /** @description The request does not follow the protocol, or an image is not base64 (`BAD_REQUEST`, `VALIDATION_ERROR`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "Unexpected inference input 'input0': the model's only input is 'image'.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "Unexpected inference input 'input0': the model's only input is 'image'."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    modelVersionInfer: {
        parameters: {
            query?: never;
            header?: {
                /** @description Binary tensor data extension: the byte length of the JSON at the start of the body. */
                "inference-header-content-length"?: number;
            };
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "id": "42",
                 *       "inputs": [
                 *         {
                 *           "name": "image",
                 *           "shape": [
                 *             1
                 *           ],
                 *           "datatype": "BYTES",
                 *           "data": [
                 *             "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *           ]
                 *         }
                 *       ],
                 *       "outputs": [
                 *         {
                 *           "name": "probabilities",
                 *           "parameters": {
                 *             "classification": 2
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description Echoed in the response. */
                    id?: string;
                    parameters?: {
                        /** @description Every output as binary data after the JSON. */
                        binary_data_output?: boolean;
                    } & {
                        [key: string]: unknown;
                    };
                    /** @description One input. */
                    inputs: {
                        /** @description The model's one input: "image". */
                        name: string;
                        /** @description The number of images, such as [1] or [3]. */
                        shape: number[];
                        /** @description BYTES: encoded images (JPEG, PNG, WebP, GIF, AVIF, TIFF). */
                        datatype: string;
                        parameters?: {
                            /** @description Binary tensor data extension: the input's bytes follow the JSON. */
                            binary_data_size?: number;
                        } & {
                            [key: string]: unknown;
                        };
                        /** @description The images, base64-encoded strings (nested arrays are flattened). */
                        data?: unknown[];
                    }[];
                    outputs?: {
                        /** @description The model's one output: "probabilities". */
                        name: string;
                        parameters?: {
                            /** @description Classification extension: the top N classes as "score:index:label" strings instead of the probabilities. */
                            classification?: number;
                            /** @description Binary tensor data extension: return this output as binary data after the JSON. */
                            binary_data?: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    }[];
                };
                "application/octet-stream": Blob;
            };
        };
        responses: {
            /** @description The outputs; with binary outputs, the JSON header then their bytes (Inference-Header-Content-Length gives the JSON's length). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_name": "food",
                     *       "model_version": "1",
                     *       "id": "42",
                     *       "outputs": [
                     *         {
                     *           "name": "probabilities",
                     *           "datatype": "BYTES",
                     *           "shape": [
                     *             1,
                     *             2
                     *           ],
                     *           "data": [
                     *             "0.97:0:food",
                     *             "0.03:1:not_food"
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        model_name: string;
                        model_version: string;
                        id?: string;
                        outputs: {
                            name: string;
                            datatype: string;
                            shape: number[];
                            parameters?: {
                                binary_data_size: number;
                            };
                            data?: (number | string)[];
                        }[];
                    };
                    /** @example {"model_name":"food","model_version":"1","outputs":[{"name":"probabilities","datatype":"FP32","shape":[1,2],"parameters":{"binary_data_size":8}}]}<8 bytes> */
                    "application/octet-stream": Blob;
                };
            };
            /** @description The request does not follow the protocol, or an image is not base64 (`BAD_REQUEST`, `VALIDATION_ERROR`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "Unexpected inference input 'input0': the model's only input is 'image'.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "Unexpected inference input 'input0': the model's only input is 'image'."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingModelStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The serving versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_version_status": [
                     *         {
                     *           "version": "1",
                     *           "state": "AVAILABLE",
                     *           "status": {
                     *             "error_code": "OK",
                     *             "error_message": ""
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        model_version_status: {
                            version: string;
                            /** @description AVAILABLE for a serving version. */
                            state: string;
                            status: {
                                error_code: string;
                                error_message: string;
                            };
                        }[];
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingVersionStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The serving versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_version_status": [
                     *         {
                     *           "version": "1",
                     *           "state": "AVAILABLE",
                     *           "status": {
                     *             "error_code": "OK",
                     *             "error_message": ""
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": {
                        model_version_status: {
                            version: string;
                            /** @description AVAILABLE for a serving version. */
                            state: string;
                            status: {
                                error_code: string;
                                error_message: string;
                            };
                        }[];
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingModelMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model's signature. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_spec": {
                     *         "name": "food",
                     *         "signature_name": "",
                     *         "version": "1"
                     *       },
                     *       "metadata": {
                     *         "signature_def": {
                     *           "signature_def": {
                     *             "serving_default": {
                     *               "inputs": {
                     *                 "image": {
                     *                   "dtype": "DT_STRING",
                     *                   "tensor_shape": {
                     *                     "dim": [
                     *                       {
                     *                         "size": "-1",
                     *                         "name": ""
                     *                       }
                     *                     ],
                     *                     "unknown_rank": false
                     *                   },
                     *                   "name": "image:0"
                     *                 }
                     *               },
                     *               "outputs": {
                     *                 "probabilities": {
                     *                   "dtype": "DT_FLOAT",
                     *                   "tensor_shape": {
                     *                     "dim": [
                     *                       {
                     *                         "size": "-1",
                     *                         "name": ""
                     *                       },
                     *                       {
                     *                         "size": "2",
                     *                         "name": ""
                     *                       }
                     *                     ],
                     *                     "unknown_rank": false
                     *                   },
                     *                   "name": "probabilities:0"
                     *                 }
                     *               },
                     *               "method_name": "tensorflow/serving/predict"
                     *             }
                     *           },
                     *           "labels": [
                     *             "food",
                     *             "not_food"
                     *           ]
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        model_spec: {
                            name: string;
                            signature_name: string;
                            version: string;
                        };
                        metadata: {
                            /** @description The serving_default signature: the image input (DT_STRING, encoded images) and the probabilities output (DT_FLOAT), plus the labels. */
                            signature_def: unknown;
                        };
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingVersionMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model's signature. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "model_spec": {
                     *         "name": "food",
                     *         "signature_name": "",
                     *         "version": "1"
                     *       },
                     *       "metadata": {
                     *         "signature_def": {
                     *           "signature_def": {
                     *             "serving_default": {
                     *               "inputs": {
                     *                 "image": {
                     *                   "dtype": "DT_STRING",
                     *                   "tensor_shape": {
                     *                     "dim": [
                     *                       {
                     *                         "size": "-1",
                     *                         "name": ""
                     *                       }
                     *                     ],
                     *                     "unknown_rank": false
                     *                   },
                     *                   "name": "image:0"
                     *                 }
                     *               },
                     *               "outputs": {
                     *                 "probabilities": {
                     *                   "dtype": "DT_FLOAT",
                     *                   "tensor_shape": {
                     *                     "dim": [
                     *                       {
                     *                         "size": "-1",
                     *                         "name": ""
                     *                       },
                     *                       {
                     *                         "size": "2",
                     *                         "name": ""
                     *                       }
                     *                     ],
                     *                     "unknown_rank": false
                     *                   },
                     *                   "name": "probabilities:0"
                     *                 }
                     *               },
                     *               "method_name": "tensorflow/serving/predict"
                     *             }
                     *           },
                     *           "labels": [
                     *             "food",
                     *             "not_food"
                     *           ]
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": {
                        model_spec: {
                            name: string;
                            signature_name: string;
                            version: string;
                        };
                        metadata: {
                            /** @description The serving_default signature: the image input (DT_STRING, encoded images) and the probabilities output (DT_FLOAT), plus the labels. */
                            signature_def: unknown;
                        };
                    };
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingPredict: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "instances": [
                 *         {
                 *           "b64": "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description serving_default, the only signature. */
                    signature_name?: string;
                    /** @description Row format: one {"b64": "..."} (or {"image": {"b64": "..."}}) per image. */
                    instances?: unknown[];
                    /** @description Columnar format: [{"b64": "..."}, ...] or {"image": [{"b64": "..."}, ...]}. */
                    inputs?: unknown;
                };
            };
        };
        responses: {
            /** @description Probabilities per image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "predictions": [
                     *         [
                     *           0.97,
                     *           0.03
                     *         ]
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description Row format: per image, the probability of each label, in the model's label order. */
                        predictions?: number[][];
                        /** @description Columnar format: the same. */
                        outputs?: number[][];
                    };
                };
            };
            /** @description The body does not follow the API, or a value is not {"b64": "..."} (`BAD_REQUEST`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingVersionPredict: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "instances": [
                 *         {
                 *           "b64": "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    /** @description serving_default, the only signature. */
                    signature_name?: string;
                    /** @description Row format: one {"b64": "..."} (or {"image": {"b64": "..."}}) per image. */
                    instances?: unknown[];
                    /** @description Columnar format: [{"b64": "..."}, ...] or {"image": [{"b64": "..."}, ...]}. */
                    inputs?: unknown;
                };
            };
        };
        responses: {
            /** @description Probabilities per image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "predictions": [
                     *         [
                     *           0.97,
                     *           0.03
                     *         ]
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description Row format: per image, the probability of each label, in the model's label order. */
                        predictions?: number[][];
                        /** @description Columnar format: the same. */
                        outputs?: number[][];
                    };
                };
            };
            /** @description The body does not follow the API, or a value is not {"b64": "..."} (`BAD_REQUEST`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingClassify: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "examples": [
                 *         {
                 *           "image": {
                 *             "b64": "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    signature_name?: string;
                    examples: ({
                        image: {
                            /** @description The encoded image, base64. */
                            b64: string;
                        };
                    } & {
                        [key: string]: unknown;
                    })[];
                };
            };
        };
        responses: {
            /** @description Labels and scores per image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "result": [
                     *         [
                     *           [
                     *             "food",
                     *             0.97
                     *           ],
                     *           [
                     *             "not_food",
                     *             0.03
                     *           ]
                     *         ]
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description Per image, [label, score] for each label, in the model's label order. */
                        result: (string | number)[][][];
                    };
                };
            };
            /** @description The body does not follow the API, or a value is not {"b64": "..."} (`BAD_REQUEST`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tfServingVersionClassify: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name.
                 * @example food
                 */
                name: string;
                /**
                 * @description Repository version.
                 * @example 1
                 */
                version: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "examples": [
                 *         {
                 *           "image": {
                 *             "b64": "/9j/4AAQSkZJRgABAQAAAQABAAD"
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": {
                    signature_name?: string;
                    examples: ({
                        image: {
                            /** @description The encoded image, base64. */
                            b64: string;
                        };
                    } & {
                        [key: string]: unknown;
                    })[];
                };
            };
        };
        responses: {
            /** @description Labels and scores per image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "result": [
                     *         [
                     *           [
                     *             "food",
                     *             0.97
                     *           ],
                     *           [
                     *             "not_food",
                     *             0.03
                     *           ]
                     *         ]
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description Per image, [label, score] for each label, in the model's label order. */
                        result: (string | number)[][][];
                    };
                };
            };
            /** @description The body does not follow the API, or a value is not {"b64": "..."} (`BAD_REQUEST`, `TOO_MANY_IMAGES`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way.",
                     *       "code": "BAD_REQUEST",
                     *       "message": "instances[0] is not {\"b64\": \"<base64>\"}: TF Serving sends binary strings, such as encoded images, that way."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when the service has API keys (API_KEYS, API_KEYS_FILE): no key, or not a valid one (`UNAUTHORIZED`). Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
            401: {
                headers: {
                    /** @description Bearer: how to authenticate. */
                    "www-authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Unauthorized",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "An API key is required: send it as \"Authorization: Bearer <key>\" or \"X-API-Key: <key>\"."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No model with that name is loaded (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upload is over MAX_UPLOAD_BYTES (`PAYLOAD_TOO_LARGE`), or the image is over MAX_PIXELS (`TOO_MANY_PIXELS`, read from its header before decoding). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not an image in a supported format (the message names a recognised but refused format, such as HEIC, 12-bit JPEG or JPEG 2000, and why), or its content type is none of multipart/form-data, image/* and application/octet-stream (`UNSUPPORTED_MEDIA_TYPE`). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 415,
                     *       "error": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF).",
                     *       "code": "UNSUPPORTED_MEDIA_TYPE",
                     *       "message": "HEIC/HEIF images are not supported: sharp's prebuilt libvips decodes AV1-coded HEIF (AVIF) only, not HEVC; export the photo as JPEG (iPhone: Settings > Camera > Formats > Most Compatible) (supported: JPEG, PNG, GIF, WebP, AVIF, TIFF)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image is truncated or corrupt (`UNDECODABLE_IMAGE`), or took longer than DECODE_TIMEOUT_MS to decode (`DECODE_TIMEOUT`). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal server error.",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Overloaded (`QUEUE_FULL`, `OVERLOADED`, `UPLOADS_BUSY`: too many uploads still arriving), a deadline that cannot be met (`DEADLINE_EXCEEDED`), an inference worker that died under the request (`WORKER_FAILED`), a model none of whose workers can start (`MODEL_UNAVAILABLE`, restarted automatically), or shutting down (`SHUTTING_DOWN`). The Retry-After header says when to retry. */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    repositoryIndex: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The models and versions, by name. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "name": "food",
                     *         "version": "1",
                     *         "state": "READY",
                     *         "reason": ""
                     *       },
                     *       {
                     *         "name": "food-v2",
                     *         "state": "UNAVAILABLE",
                     *         "reason": "not loaded"
                     *       }
                     *     ]
                     */
                    "application/json": {
                        /** @description The model. */
                        name: string;
                        /** @description The repository version, for a version this server knows. */
                        version?: string;
                        /** @description READY, LOADING, UNLOADING or UNAVAILABLE. */
                        state: string;
                        /** @description Why it is not READY: not loaded, unloaded, or why its load failed. */
                        reason: string;
                    }[];
                };
            };
            /** @description No `Authorization: Bearer` credential (`UNAUTHORIZED`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token is wrong, or repository control is off because ADMIN_TOKEN is not set (`FORBIDDEN`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 403,
                     *       "error": "The admin token is wrong.",
                     *       "code": "FORBIDDEN",
                     *       "message": "The admin token is wrong."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    repositoryModelLoad: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name: its directory in the repository.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model serves its new versions. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food",
                     *       "state": "READY",
                     *       "versions": [
                     *         "2"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        /** @description The model. */
                        name: string;
                        /** @description READY after a load, UNAVAILABLE after an unload. */
                        state: string;
                        /** @description The repository versions now serving. */
                        versions: string[];
                    };
                };
            };
            /** @description A version failed to load, or the version policy serves none of those on disk (`MODEL_LOAD_FAILED`). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 400,
                     *       "error": "Model 'food' failed to load: Model /models/food/3 does not match its manifest",
                     *       "code": "MODEL_LOAD_FAILED",
                     *       "message": "Model 'food' failed to load: Model /models/food/3 does not match its manifest"
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No `Authorization: Bearer` credential (`UNAUTHORIZED`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token is wrong, or repository control is off because ADMIN_TOKEN is not set (`FORBIDDEN`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 403,
                     *       "error": "The admin token is wrong.",
                     *       "code": "FORBIDDEN",
                     *       "message": "The admin token is wrong."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such model in the repository (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' in the repository /models.",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' in the repository /models."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    repositoryModelUnload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Model name: its directory in the repository.
                 * @example food
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model no longer serves. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "food-v2",
                     *       "state": "UNAVAILABLE",
                     *       "versions": []
                     *     }
                     */
                    "application/json": {
                        /** @description The model. */
                        name: string;
                        /** @description READY after a load, UNAVAILABLE after an unload. */
                        state: string;
                        /** @description The repository versions now serving. */
                        versions: string[];
                    };
                };
            };
            /** @description No `Authorization: Bearer` credential (`UNAUTHORIZED`). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 401,
                     *       "error": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.",
                     *       "code": "UNAUTHORIZED",
                     *       "message": "Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The token is wrong, or repository control is off because ADMIN_TOKEN is not set (`FORBIDDEN`). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 403,
                     *       "error": "The admin token is wrong.",
                     *       "code": "FORBIDDEN",
                     *       "message": "The admin token is wrong."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such model (`MODEL_NOT_FOUND`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 404,
                     *       "error": "No model named 'dogs' is loaded (loaded: food).",
                     *       "code": "MODEL_NOT_FOUND",
                     *       "message": "No model named 'dogs' is loaded (loaded: food)."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Only when RATE_LIMIT_MAX is set: this client (its API key, else its address) made more than RATE_LIMIT_MAX requests in RATE_LIMIT_WINDOW_MS (`RATE_LIMITED`). Retry-After says when to retry. */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying. */
                    "retry-after"?: number;
                    /** @description RATE_LIMIT_MAX: requests allowed per window. */
                    "ratelimit-limit"?: number;
                    /** @description Requests left in this window. */
                    "ratelimit-remaining"?: number;
                    /** @description Seconds until the window resets. */
                    "ratelimit-reset"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 429,
                     *       "error": "Too Many Requests",
                     *       "code": "RATE_LIMITED",
                     *       "message": "Rate limit reached: at most 60 requests per 60 s (RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS); retry in 42 s."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An unexpected failure in the service (`INTERNAL_ERROR`); the details are in its log. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "statusCode": 500,
                     *       "error": "Internal Server Error",
                     *       "code": "INTERNAL_ERROR",
                     *       "message": "Internal server error."
                     *     }
                     */
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "live",
                     *       "uptimeSeconds": 42.5
                     *     }
                     */
                    "application/json": components["schemas"]["Liveness"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready: send traffic. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "ready": true,
                     *       "since": "2026-11-24T12:00:00.000Z",
                     *       "models": [
                     *         {
                     *           "name": "food",
                     *           "version": "4.0.0"
                     *         }
                     *       ],
                     *       "backend": "wasm"
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description Starting or draining: send traffic elsewhere. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "draining",
                     *       "ready": false,
                     *       "since": "2026-11-24T12:00:05.000Z",
                     *       "models": [
                     *         {
                     *           "name": "food",
                     *           "version": "4.0.0"
                     *         }
                     *       ],
                     *       "backend": "wasm"
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    serverLive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "live": true
                     *     }
                     */
                    "application/json": components["schemas"]["V2Live"];
                };
            };
        };
    };
    serverReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready: send traffic. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ready": true
                     *     }
                     */
                    "application/json": components["schemas"]["V2Ready"];
                };
            };
            /** @description Starting or draining: send traffic elsewhere. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ready": false
                     *     }
                     */
                    "application/json": components["schemas"]["V2Ready"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format 0.0.4. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # HELP http_requests_total Requests answered, by route, status and error code.
                     *     # TYPE http_requests_total counter
                     *     http_requests_total{method="POST",route="/predict",status="200",code=""} 42
                     */
                    "text/plain": string;
                };
            };
        };
    };
}
